import type { RecordedEvent } from '@mam/event-store';
import type { CollectionSpec, Doc, Filter, FindOptions, Stored } from '@mam/read-store';

/** What a projection may do with the read store while it applies one batch. */
export interface ProjectionTx {
  get<T = Doc>(collection: string, id: string): Promise<T | null>;
  /** Several documents in one query (absent ids are left out). */
  getMany?<T = Doc>(collection: string, ids: string[]): Promise<Map<string, T>>;
  /** Lets the event loop serve requests during long work; cheap to call often. */
  maybeYield?(): Promise<void> | undefined;
  /** The document if this batch already holds it (written or read before), else undefined: a synchronous fast path. */
  peek?<T = Doc>(collection: string, id: string): T | null | undefined;
  find<T = Doc>(collection: string, filter: Filter, options?: FindOptions): Promise<Array<Stored<T>>>;
  put(collection: string, id: string, doc: object): void;
  delete(collection: string, id: string): void;
}

export interface Projection {
  readonly name: string;
  readonly collections: CollectionSpec[];
  /** Event types it reads; the runner skips the others without calling it. */
  readonly eventTypes: ReadonlySet<string>;
  /** May return nothing when it finished synchronously (saves a microtask per event in rebuilds). */
  apply(event: RecordedEvent, tx: ProjectionTx): void | Promise<void>;
  /** The documents a batch will read, so the runner can fetch them in a few queries instead of one each. */
  prefetch?(events: RecordedEvent[]): Array<{ collection: string; id: string }>;
  /**
   * After `prefetch`: reads of the batch that depend on what it fetched (ids
   * found in documents), in a few queries. Reads only; a failure other than
   * the store's is ignored, since `apply` reads what it still needs.
   */
  prepare?(events: RecordedEvent[], tx: ProjectionTx): Promise<void>;
}

/**
 * The common case: one document per key, changed by a pure
 * `(doc, event) → doc` function (null deletes it).
 */
export function documentProjection<D extends object>(spec: {
  name: string;
  collection: CollectionSpec;
  eventTypes: readonly string[];
  key: (event: RecordedEvent) => string | null;
  evolve: (doc: D | null, event: RecordedEvent) => D | null;
}): Projection {
  return {
    name: spec.name,
    collections: [spec.collection],
    eventTypes: new Set(spec.eventTypes),
    prefetch(events) {
      const wanted = new Set<string>();
      for (const e of events) {
        if (!this.eventTypes.has(e.type)) continue;
        const id = spec.key(e);
        if (id !== null) wanted.add(id);
      }
      return [...wanted].map((id) => ({ collection: spec.collection.name, id }));
    },
    apply(event, tx) {
      const id = spec.key(event);
      if (id === null) return;
      const write = (current: D | null) => {
        const next = spec.evolve(current, event);
        if (next === current) return;
        if (next === null) tx.delete(spec.collection.name, id);
        else tx.put(spec.collection.name, id, next);
      };
      const held = tx.peek?.<D>(spec.collection.name, id);
      if (held !== undefined) return write(held);
      return tx.get<D>(spec.collection.name, id).then(write);
    },
  };
}
