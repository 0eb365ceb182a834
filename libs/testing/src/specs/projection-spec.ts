import type { EventMetadata, RecordedEvent } from '@mam/event-store';
import { InMemoryReadStore, inRange, matches, type CollectionSpec, type Doc, type Filter, type FindOptions, type ReadStore, type Stored } from '@mam/read-store';

/**
 * Given-then for a read-model projection:
 *
 *   const spec = ProjectionSpecification.for(organizationsProjection);
 *   await spec.given([created(['p', 'a'])]).thenDocument('organizations', 'org-1', { ... });
 *   await spec.given(events).thenDocuments('organization_history', { organizationId: 'org-1' }, [ ... ]);
 *   await spec.given(events).then(async (read) => expect(await read.get('organizations', 'org-1')).toBeNull());
 *
 * It accepts any object shaped like the app's `Projection` (libs do not import
 * app code). The given events may be short `{ type, data }` objects: id,
 * streamId, revision, position and metadata are filled in (positions 1, 2, …
 * unless given). Events whose type the projection does not read are skipped,
 * as the runner does.
 *
 * Each expectation is checked twice, against two runs on fresh in-memory read
 * stores: once with every event in one batch (reads see the batch's own
 * pending writes, committed once, as `ReadModelBatch` does), once with a
 * commit after each event. Documents handed to and read from the unit of work
 * are frozen, so a projection that mutates what it read, instead of putting a
 * new object, fails here instead of corrupting shared batch state.
 *
 * Return or await the promise of `then…(…)`, not `given(…)` itself (its
 * `then` makes it look like a promise that asserts nothing).
 */
export interface SpecProjectionTx {
  get<T = Doc>(collection: string, id: string): Promise<T | null>;
  find<T = Doc>(collection: string, filter: Filter, options?: FindOptions): Promise<Array<Stored<T>>>;
  put(collection: string, id: string, doc: object): void;
  delete(collection: string, id: string): void;
}

export interface ProjectionLike {
  readonly name: string;
  readonly collections: CollectionSpec[];
  readonly eventTypes: ReadonlySet<string>;
  apply(event: RecordedEvent, tx: SpecProjectionTx): void | Promise<void>;
}

/** A given event: `{ type, data }` at least; anything else overrides the filled-in defaults. */
export interface GivenEvent {
  type: string;
  data: unknown;
  id?: string;
  streamId?: string;
  revision?: bigint;
  position?: bigint | number;
  metadata?: Partial<EventMetadata>;
}

/** Metadata `at` of filled-in events. */
export const EVENT_AT = '2025-01-01T00:00:00.000Z';

export type ProjectionRead = Pick<ReadStore, 'get' | 'getMany' | 'find'>;

export interface ProjectionThen {
  /** Runs the assertions against the read store after the given events (both runs). */
  then(assert: (read: ProjectionRead) => Promise<void> | void): Promise<void>;
  /** The document equals `expected` (toEqual); `null` means it does not exist. */
  thenDocument(collection: string, id: string, expected: unknown): Promise<void>;
  /** The documents matching `filter`, in id order, equal `expected`. */
  thenDocuments(collection: string, filter: Filter, expected: unknown[]): Promise<void>;
}

export interface ProjectionSpec {
  given(events: GivenEvent[]): ProjectionThen;
}

/** A stream id from the event, as the domain names streams (`account-…`, `organization-…`, `user-…`). */
function defaultStreamId(type: string, data: unknown): string {
  const d = (data ?? {}) as Record<string, unknown>;
  const accountId = typeof d.accountId === 'string' ? d.accountId : undefined;
  const organizationId = typeof d.organizationId === 'string' ? d.organizationId : undefined;
  if (accountId !== undefined && (type.startsWith('Account') || organizationId === undefined)) return `account-${accountId}`;
  if (organizationId !== undefined) return `organization-${organizationId}`;
  if (typeof d.userId === 'string') return `user-${d.userId}`;
  return 'spec-stream';
}

/** Fills in what a `{ type, data }` lacks to be a RecordedEvent. */
export function recordedEvents(events: GivenEvent[]): RecordedEvent[] {
  const revisions = new Map<string, bigint>();
  let last = 0n;
  return events.map((e, i) => {
    const streamId = e.streamId ?? defaultStreamId(e.type, e.data);
    const revision = e.revision ?? (revisions.has(streamId) ? revisions.get(streamId)! + 1n : 0n);
    revisions.set(streamId, revision);
    const position = e.position !== undefined ? BigInt(e.position) : last + 1n;
    if (position <= last) throw new Error(`given event ${i} (${e.type}) has position ${position}, not after ${last}`);
    last = position;
    return {
      id: e.id ?? `spec-event-${i + 1}`,
      type: e.type,
      data: e.data,
      streamId,
      revision,
      position,
      metadata: { at: EVENT_AT, ...e.metadata } as EventMetadata,
    };
  });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

/** A tiny unit of work over the in-memory store: reads see pending writes; `commit` writes them at once. */
class SpecBatch implements SpecProjectionTx {
  private readonly pending = new Map<string, Map<string, Doc | null>>();

  constructor(private readonly store: InMemoryReadStore) {}

  private coll(name: string): Map<string, Doc | null> {
    let c = this.pending.get(name);
    if (!c) this.pending.set(name, (c = new Map()));
    return c;
  }

  async get<T = Doc>(collection: string, id: string): Promise<T | null> {
    const coll = this.pending.get(collection);
    if (coll?.has(id)) return (coll.get(id) ?? null) as T | null;
    return deepFreeze(await this.store.get<T>(collection, id));
  }

  async find<T = Doc>(collection: string, filter: Filter, options: FindOptions = {}): Promise<Array<Stored<T>>> {
    const merged = new Map<string, Doc>();
    for (const row of await this.store.find<Doc>(collection, filter, { idPrefix: options.idPrefix })) merged.set(row.id, deepFreeze(row.doc));
    for (const [id, doc] of this.pending.get(collection) ?? []) {
      if (doc && matches(doc, filter) && inRange(id, { idPrefix: options.idPrefix })) merged.set(id, doc);
      else merged.delete(id);
    }
    const rows = [...merged.entries()]
      .filter(([id]) => options.afterId === undefined || id > options.afterId)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return rows.slice(0, options.limit ?? rows.length).map(([id, doc]) => ({ id, doc: doc as T }));
  }

  put(collection: string, id: string, doc: object): void {
    this.coll(collection).set(id, deepFreeze(doc as Doc));
  }

  delete(collection: string, id: string): void {
    this.coll(collection).set(id, null);
  }

  async commit(projection: string, position: bigint): Promise<void> {
    const puts = [];
    const deletes = [];
    for (const [collection, docs] of this.pending) {
      for (const [id, doc] of docs) {
        if (doc === null) deletes.push({ collection, id });
        else puts.push({ collection, id, doc });
      }
    }
    // The real stores keep JSON: a document that does not survive JSON.stringify fails here too.
    await this.store.commit({ puts, deletes, checkpoints: [{ name: projection, position }] });
    this.pending.clear();
  }
}

async function run(projection: ProjectionLike, events: RecordedEvent[], commitEach: boolean): Promise<InMemoryReadStore> {
  const store = new InMemoryReadStore();
  await store.ensureCollections(projection.collections);
  let batch = new SpecBatch(store);
  for (const event of events) {
    if (!projection.eventTypes.has(event.type)) continue;
    await projection.apply(event, batch);
    if (commitEach) {
      await batch.commit(projection.name, event.position);
      batch = new SpecBatch(store);
    }
  }
  if (!commitEach && events.length > 0) await batch.commit(projection.name, events[events.length - 1].position);
  return store;
}

export const ProjectionSpecification = {
  for(projection: ProjectionLike): ProjectionSpec {
    return {
      given(given) {
        const events = recordedEvents(given);
        const then: ProjectionThen['then'] = async (assert) => {
          for (const commitEach of [false, true]) {
            const store = await run(projection, events, commitEach);
            try {
              await assert(store);
            } catch (error) {
              if (error instanceof Error) error.message = `[${commitEach ? 'a commit per event' : 'one batch'}] ${error.message}`;
              throw error;
            }
          }
        };
        return {
          then,
          thenDocument: (collection, id, expected) =>
            then(async (read) => expect(await read.get(collection, id)).toEqual(expected)),
          thenDocuments: (collection, filter, expected) =>
            then(async (read) => expect((await read.find(collection, filter)).map((r) => r.doc)).toEqual(expected)),
        };
      },
    };
  },
};
