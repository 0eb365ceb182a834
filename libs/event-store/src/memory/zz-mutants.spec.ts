import { eventStoreContract } from '@mam/testing';
import { InMemoryEventStore } from './in-memory-event-store';
import type { BatchHandler, SubscriptionOptions, StreamAppend, ExpectedRevision, NewEvent } from '../event-store.port';

const mutants: Record<string, () => InMemoryEventStore> = {
  inclusiveReadAll: () => new (class extends InMemoryEventStore {
    override async readAll(o: { after: bigint | null; limit: number }) {
      return super.readAll({ after: o.after === null ? null : o.after - 1n, limit: o.limit });
    }
  })(),
  ignoresExpected: () => new (class extends InMemoryEventStore {
    override append(s: string, e: NewEvent[], _x: ExpectedRevision) { return super.append(s, e, 'any'); }
  })(),
  nonAtomicMany: () => new (class extends InMemoryEventStore {
    override async appendMany(a: StreamAppend[]) { const r = []; for (const x of a) r.push(...(await super.appendMany([x]))); return r; }
  })(),
  earlyCaughtUp: () => new (class extends InMemoryEventStore {
    override subscribe(h: BatchHandler, o: SubscriptionOptions) { o.onCaughtUp?.(); return super.subscribe(h, { ...o, onCaughtUp: undefined }); }
  })(),
  stopIgnored: () => new (class extends InMemoryEventStore {
    override subscribe(h: BatchHandler, o: SubscriptionOptions) { super.subscribe(h, o); return { done: Promise.resolve(), stop: async () => {} }; }
  })(),
  noIdempotency: () => new (class extends InMemoryEventStore {
    override append(s: string, e: NewEvent[], x: ExpectedRevision) { return super.append(s, e.map((ev) => ({ ...ev, id: ev.id + Math.random() })), x); }
  })(),
  wrongHead: () => new (class extends InMemoryEventStore {
    override async headPosition() { const h = await super.headPosition(); return h === null ? null : h - 1n; }
  })(),
};
for (const [name, make] of Object.entries(mutants)) {
  eventStoreContract(`MUTANT ${name}`, async () => { const store = make(); return { store, cleanup: () => store.close() }; });
}
