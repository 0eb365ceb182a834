import type { RecordedEvent } from '@mam/event-store';
import type { CollectionSpec, Doc, Filter, FindOptions, Stored } from '@mam/read-store';

/** What a projection may do with the read store while it applies one batch. */
export interface ProjectionTx {
  get<T = Doc>(collection: string, id: string): Promise<T | null>;
  find<T = Doc>(collection: string, filter: Filter, options?: FindOptions): Promise<Array<Stored<T>>>;
  put(collection: string, id: string, doc: object): void;
  delete(collection: string, id: string): void;
}

export interface Projection {
  readonly name: string;
  readonly collections: CollectionSpec[];
  /** Event types it reads; the runner skips the others without calling it. */
  readonly eventTypes: ReadonlySet<string>;
  apply(event: RecordedEvent, tx: ProjectionTx): Promise<void>;
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
    async apply(event, tx) {
      const id = spec.key(event);
      if (id === null) return;
      const current = await tx.get<D>(spec.collection.name, id);
      const next = spec.evolve(current, event);
      if (next === current) return;
      if (next === null) tx.delete(spec.collection.name, id);
      else tx.put(spec.collection.name, id, next);
    },
  };
}
