import { randomUUID } from 'node:crypto';
import { InMemoryEventStore, type NewEvent } from '@mam/event-store';
import { DocumentTooLargeError, InMemoryReadStore, type Doc, type WriteSet } from '@mam/read-store';
import type { Projection } from './projection';
import { MAX_DOCUMENTS_PER_COMMIT, ProjectionRunner } from './projection-runner';
import { PARKED_COLLECTION, type ParkedEvent } from './parked-events';

/** The limits a production read store has: documents per transaction, bytes per document. */
const ev = (type: string, data: object): NewEvent => ({ id: randomUUID(), type, data, metadata: { at: '2026-11-01T00:00:00Z' } });

/** Writes `count` documents per event, keyed by the event; `text` grows one document. */
const writing: Projection = {
  name: 'writing',
  collections: [{ name: 'docs', indexes: [] }],
  eventTypes: new Set(['Wrote', 'Grew']),
  async apply(event, tx) {
    const { key, count, text } = event.data as { key: string; count?: number; text?: string };
    if (event.type === 'Grew') {
      const doc = (await tx.get<{ text: string }>('docs', key)) ?? { text: '' };
      tx.put('docs', key, { text: doc.text + text });
      return;
    }
    for (let i = 0; i < count!; i++) tx.put('docs', `${key}-${i}`, { i });
  },
};

/** An in-memory store with MongoDB's kind of limit: documents over `limit` characters of JSON. */
class LimitedReadStore extends InMemoryReadStore {
  readonly commits: number[] = [];
  constructor(private readonly limit: number) {
    super();
  }
  checkDocument(collection: string, id: string, doc: Doc): void {
    const bytes = JSON.stringify(doc).length;
    if (bytes > this.limit) throw new DocumentTooLargeError(collection, id, bytes, this.limit);
  }
  override async commit(writes: WriteSet): Promise<void> {
    this.commits.push(writes.puts.length);
    return super.commit(writes);
  }
}

async function runToHead(events: InMemoryEventStore, store: InMemoryReadStore, batchSize: number): Promise<void> {
  const runner = new ProjectionRunner('test', events, store, [writing], { batchSize });
  await runner.start();
  expect(await runner.waitFor((await events.headPosition())!, ['writing'], 10_000)).toBe(true);
  await runner.stop();
}

describe('projection runner against a store with limits', () => {
  it('given a batch that writes more documents than one commit may hold, then it commits at event boundaries, each with its checkpoint, and nothing is lost', async () => {
    const events = new InMemoryEventStore();
    const store = new LimitedReadStore(1_000_000);
    const perEvent = MAX_DOCUMENTS_PER_COMMIT / 2;
    await events.append('s', ['a', 'b', 'c'].map((key) => ev('Wrote', { key, count: perEvent })), 'no_stream');
    await runToHead(events, store, 100);
    // Two events reach the cap; the third goes in a commit of its own.
    expect(store.commits.filter((n) => n > 0)).toEqual([2 * perEvent, perEvent]);
    expect(await store.find('docs', {})).toHaveLength(3 * perEvent);
    expect(await store.checkpoint('writing')).toBe(3n);
  });

  it('given an event that makes a document too large for the store, then that event is parked and the others are applied', async () => {
    const events = new InMemoryEventStore();
    const store = new LimitedReadStore(1000);
    await events.append(
      's',
      [ev('Grew', { key: 'k', text: 'x'.repeat(400) }), ev('Grew', { key: 'k', text: 'y'.repeat(700) }), ev('Wrote', { key: 'w', count: 2 }), ev('Grew', { key: 'k', text: 'z' })],
      'no_stream',
    );
    await runToHead(events, store, 100);
    expect(await store.get('docs', 'k')).toEqual({ text: 'x'.repeat(400) + 'z' });
    expect(await store.get('docs', 'w-1')).toEqual({ i: 1 });
    const parked = await store.find<ParkedEvent>(PARKED_COLLECTION, {});
    expect(parked.map((p) => [p.doc.type, p.doc.position])).toEqual([['Grew', '2']]);
    expect(parked[0].doc.error).toMatch(/DocumentTooLargeError: document docs\/k is \d+ bytes, over the store's limit of 1000/);
    expect(await store.checkpoint('writing')).toBe(4n);
  });
});
