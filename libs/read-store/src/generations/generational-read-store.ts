import type { CollectionSpec, Doc, Filter, FindOptions, ReadStore, Stored, WriteSet } from '../read-store.port';

/** Where the active generation of each projection is kept (one doc per projection). */
export const GENERATIONS = 'read_model_generations';

export interface GenerationDoc {
  projection: string;
  generation: number;
  /** The generation that was replaced and whose collections are still to be emptied, if any. */
  previous: number | null;
}

/**
 * Lets a read model be rebuilt while the service keeps serving the old one:
 * every projection's collections and checkpoint live under a generation
 * (`accounts`, then `accounts__g1`, `accounts__g2`…). A rebuild writes the
 * next generation through a view with `withGeneration`, then flips the
 * pointer in GENERATIONS with one write; readers follow after `refresh()`.
 *
 * `owners` maps each collection to the projection that writes it, so the
 * rest of the code only ever uses logical names.
 */
export class GenerationalReadStore implements ReadStore {
  private active = new Map<string, number>();

  constructor(
    private readonly base: ReadStore,
    private readonly owners: ReadonlyMap<string, string>,
    private readonly overrides: ReadonlyMap<string, number> = new Map(),
  ) {}

  get inner(): ReadStore {
    return this.base;
  }

  /** A view in which `projections` read and write generation `generation` (for a rebuild). */
  withGeneration(projections: string[], generation: number): GenerationalReadStore {
    const view = new GenerationalReadStore(this.base, this.owners, new Map(projections.map((p) => [p, generation])));
    view.active = this.active;
    return view;
  }

  generationOf(projection: string): number {
    return this.overrides.get(projection) ?? this.active.get(projection) ?? 0;
  }

  /** Reads the pointers; true when a generation changed since the last refresh. */
  async refresh(): Promise<boolean> {
    const docs = await this.base.find<GenerationDoc>(GENERATIONS, {});
    const next = new Map(docs.map(({ doc }) => [doc.projection, doc.generation]));
    const changed = docs.length !== this.active.size || docs.some(({ doc }) => this.active.get(doc.projection) !== doc.generation);
    this.active = next;
    return changed;
  }

  /** True when the stored pointers differ from the ones in use (without switching). */
  async stale(): Promise<boolean> {
    const docs = await this.base.find<GenerationDoc>(GENERATIONS, {});
    return docs.length !== this.active.size || docs.some(({ doc }) => this.active.get(doc.projection) !== doc.generation);
  }

  physical(collection: string, generation?: number): string {
    const owner = this.owners.get(collection);
    const g = generation ?? (owner ? this.generationOf(owner) : 0);
    return g ? `${collection}__g${g}` : collection;
  }

  checkpointName(name: string, generation?: number): string {
    const g = generation ?? (this.owners.size && [...this.owners.values()].includes(name) ? this.generationOf(name) : 0);
    return g ? `${name}@g${g}` : name;
  }

  collectionsOf(projection: string): string[] {
    return [...this.owners].filter(([, p]) => p === projection).map(([c]) => c);
  }

  ensureCollections(specs: CollectionSpec[]): Promise<void> {
    return this.base.ensureCollections(specs.map((s) => ({ ...s, name: this.physical(s.name) })));
  }

  get<T = Doc>(collection: string, id: string): Promise<T | null> {
    return this.base.get<T>(this.physical(collection), id);
  }

  getMany<T = Doc>(collection: string, ids: string[]): Promise<Map<string, T>> {
    return this.base.getMany<T>(this.physical(collection), ids);
  }

  find<T = Doc>(collection: string, filter: Filter, options?: FindOptions): Promise<Array<Stored<T>>> {
    return this.base.find<T>(this.physical(collection), filter, options);
  }

  commit(writes: WriteSet): Promise<void> {
    return this.base.commit({
      puts: writes.puts.map((p) => ({ ...p, collection: this.physical(p.collection) })),
      deletes: writes.deletes.map((d) => ({ ...d, collection: this.physical(d.collection) })),
      checkpoints: writes.checkpoints.map((c) => ({ ...c, name: this.checkpointName(c.name) })),
    });
  }

  checkpoint(name: string): Promise<bigint | null> {
    return this.base.checkpoint(this.checkpointName(name));
  }

  checkDocument(collection: string, id: string, doc: Doc): void {
    this.base.checkDocument?.(this.physical(collection), id, doc);
  }

  reset(collections: string[], checkpoints: string[]): Promise<void> {
    return this.base.reset(collections.map((c) => this.physical(c)), checkpoints.map((c) => this.checkpointName(c)));
  }

  /** Empties one generation of a projection (after it was replaced). */
  resetGeneration(projection: string, generation: number): Promise<void> {
    return this.base.reset(
      this.collectionsOf(projection).map((c) => this.physical(c, generation)),
      [this.checkpointName(projection, generation)],
    );
  }

  ping(): Promise<boolean> {
    return this.base.ping();
  }

  close(): Promise<void> {
    return this.base.close();
  }
}
