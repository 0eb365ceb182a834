import { randomUUID } from 'node:crypto';
import { InMemoryEventStore, type NewEvent } from '@mam/event-store';
import { InMemoryReadStore } from '@mam/read-store';
import type { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';
import { PARKED_COLLECTION, type ParkedEvent } from './parked-events';

const ev = (type: string, data: object): NewEvent => ({ id: randomUUID(), type, data, metadata: { at: '2026-11-01T00:00:00Z' } });

/** Counts events per key; writes a half-change, then throws, on `Poison`. */
const counting: Projection = {
  name: 'counting',
  collections: [{ name: 'counts', indexes: [] }],
  eventTypes: new Set(['Counted', 'Poison']),
  async apply(event, tx) {
    const { key } = event.data as { key: string };
    const doc = (await tx.get<{ n: number }>('counts', key)) ?? { n: 0 };
    tx.put('counts', key, { n: doc.n + 1 });
    if (event.type === 'Poison') throw new Error('cannot handle this one');
  },
};

async function runUntil(runner: ProjectionRunner, events: InMemoryEventStore): Promise<void> {
  await runner.start();
  expect(await runner.waitFor((await events.headPosition())!, ['counting'], 5000)).toBe(true);
}

describe('projection runner', () => {
  it('given an event the projection throws on, then it is parked with its error, its half-change is rolled back, and the events after it are applied', async () => {
    const events = new InMemoryEventStore();
    const readStore = new InMemoryReadStore();
    await events.append('s', [ev('Counted', { key: 'a' }), ev('Poison', { key: 'a' }), ev('Counted', { key: 'a' }), ev('Counted', { key: 'b' })], 'no_stream');
    const runner = new ProjectionRunner('test', events, readStore, [counting], { batchSize: 2 });
    await runUntil(runner, events);
    await runner.stop();

    expect(await readStore.get('counts', 'a')).toEqual({ n: 2 });
    expect(await readStore.get('counts', 'b')).toEqual({ n: 1 });
    const parked = await readStore.find<ParkedEvent>(PARKED_COLLECTION, {});
    expect(parked.map((p) => [p.doc.projection, p.doc.type, p.doc.position, p.doc.error])).toEqual([
      ['counting', 'Poison', '2', 'Error: cannot handle this one'],
    ]);
    expect(await readStore.checkpoint('counting')).toBe(4n);
    expect((await runner.info())[0]).toMatchObject({ name: 'counting', position: '4', lag: '0', parked: 1 });
  });

  it('given a restart, then it resumes after its checkpoint and applies nothing twice', async () => {
    const events = new InMemoryEventStore();
    const readStore = new InMemoryReadStore();
    await events.append('s', [ev('Counted', { key: 'a' }), ev('Counted', { key: 'a' })], 'no_stream');
    const first = new ProjectionRunner('test', events, readStore, [counting]);
    await runUntil(first, events);
    await first.stop();
    await events.append('s', [ev('Counted', { key: 'a' })], 1n);
    const second = new ProjectionRunner('test', events, readStore, [counting]);
    await runUntil(second, events);
    await second.stop();
    expect(await readStore.get('counts', 'a')).toEqual({ n: 3 });
  });

  it('given a read store that fails to commit, then the runner retries from its checkpoint and loses nothing', async () => {
    const events = new InMemoryEventStore();
    const readStore = new InMemoryReadStore();
    let failures = 2;
    const flaky = Object.assign(Object.create(readStore), {
      commit: async (writes: Parameters<InMemoryReadStore['commit']>[0]) => {
        if (failures-- > 0) throw new Error('read store unavailable');
        return readStore.commit(writes);
      },
    });
    await events.append('s', [ev('Counted', { key: 'a' }), ev('Counted', { key: 'b' })], 'no_stream');
    const runner = new ProjectionRunner('test', events, flaky, [counting]);
    await runUntil(runner, events);
    await runner.stop();
    expect(await readStore.get('counts', 'a')).toEqual({ n: 1 });
    expect(await readStore.get('counts', 'b')).toEqual({ n: 1 });
  });

  it('given a read store whose reads fail for a while (an outage), then the event is not parked: the batch is retried and applied', async () => {
    const events = new InMemoryEventStore();
    const readStore = new InMemoryReadStore();
    let failures = 2;
    const flaky = Object.assign(Object.create(readStore), {
      get: async (collection: string, id: string) => {
        if (failures-- > 0) throw new Error('connection reset');
        return readStore.get(collection, id);
      },
    });
    await events.append('s', [ev('Counted', { key: 'a' })], 'no_stream');
    const runner = new ProjectionRunner('test', events, flaky, [counting]);
    await runUntil(runner, events);
    await runner.stop();
    expect(await readStore.get('counts', 'a')).toEqual({ n: 1 });
    expect(await readStore.find(PARKED_COLLECTION, {})).toEqual([]);
  });
});

describe('projection runner, projections whose checkpoints differ', () => {
  /** Counts every event it is given: an event applied twice shows as 2. */
  const tally = (name: string): Projection => ({
    name,
    collections: [{ name: `${name}_counts`, indexes: [] }],
    eventTypes: new Set(['Counted']),
    async apply(event, tx) {
      const doc = (await tx.get<{ n: number }>(`${name}_counts`, event.id)) ?? { n: 0 };
      tx.put(`${name}_counts`, event.id, { n: doc.n + 1 });
    },
  });

  it('given one projection far ahead of another (a rebuild of the other, a new projection), when they run together in small batches, then the one ahead applies nothing twice and each keeps its own checkpoint', async () => {
    const events = new InMemoryEventStore();
    const readStore = new InMemoryReadStore();
    await events.append('s', Array.from({ length: 10 }, (_, i) => ev('Counted', { key: String(i) })), 'no_stream');
    const ahead = tally('ahead');
    const behind = tally('behind');
    // `ahead` has processed all ten already; `behind` starts from scratch.
    const first = new ProjectionRunner('first', events, readStore, [ahead]);
    await first.start();
    expect(await first.waitFor(10n, ['ahead'], 5000)).toBe(true);
    await first.stop();

    const both = new ProjectionRunner('both', events, readStore, [ahead, behind], { batchSize: 3 });
    await both.start();
    try {
      expect(await both.waitFor(10n, ['ahead', 'behind'], 5000)).toBe(true);
    } finally {
      await both.stop();
    }

    const counts = async (name: string) => (await readStore.find<{ n: number }>(`${name}_counts`, {})).map((d) => d.doc.n);
    expect(await counts('ahead')).toEqual(Array(10).fill(1));
    expect(await counts('behind')).toEqual(Array(10).fill(1));
    expect(await readStore.checkpoint('ahead')).toBe(10n);
    expect(await readStore.checkpoint('behind')).toBe(10n);
  });
});
