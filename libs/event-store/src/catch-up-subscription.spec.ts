import { randomUUID } from 'node:crypto';
import { InMemoryEventStore } from './memory/in-memory-event-store';
import type { RecordedEvent } from './event-store.port';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await sleep(5);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Runs what is due now on a fake clock (promises and zero-delay timers), without moving it. */
async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await jest.advanceTimersByTimeAsync(0);
}

describe('polling catch-up subscription: lingerMs', () => {
  let store: InMemoryEventStore;
  let batches: string[][];
  const append = (name: string) => store.append(`s-${name}`, [{ id: randomUUID(), type: 'E', data: { name }, metadata: { at: new Date().toISOString() } }], 'any');
  const delivered = () => batches.flat().length;

  beforeEach(() => {
    store = new InMemoryEventStore();
    batches = [];
  });
  afterEach(() => store.close());

  function subscribe(lingerMs: number) {
    return store.subscribe(async (batch: RecordedEvent[]) => void batches.push(batch.map((e) => (e.data as { name: string }).name)), { after: null, lingerMs });
  }

  it('given a steady stream, when appends come closer than lingerMs, then they are read together in one batch', async () => {
    const sub = subscribe(400);
    await append('a');
    await until(() => delivered() === 1, 'a');
    await append('b');
    await sleep(50);
    await append('c');
    await until(() => delivered() === 3, 'b and c');
    expect(batches).toEqual([['a'], ['b', 'c']]);
    await sub.stop();
  });

  it('given no linger, when the same appends come, then each is read on its own', async () => {
    const sub = subscribe(0);
    await append('a');
    await until(() => delivered() === 1, 'a');
    await append('b');
    await until(() => delivered() === 2, 'b');
    await sleep(50);
    await append('c');
    await until(() => delivered() === 3, 'c');
    expect(batches).toEqual([['a'], ['b'], ['c']]);
    await sub.stop();
  });

  /**
   * Runs `body` on a fake clock (timers and performance.now) with a subscription lingering 300 ms
   * that has been quiet for 400 ms: "at once" then means before the clock moves at all, not within
   * some time a loaded machine may or may not keep.
   */
  async function onFakeClock(body: () => Promise<void>): Promise<void> {
    jest.useFakeTimers();
    try {
      const sub = subscribe(300);
      await jest.advanceTimersByTimeAsync(400);
      await body();
      const stopping = sub.stop();
      await jest.advanceTimersByTimeAsync(1000);
      await stopping;
    } finally {
      jest.useRealTimers();
    }
  }

  it('given a quiet spell longer than lingerMs, when an event is appended, then it is read at once', () =>
    onFakeClock(async () => {
      await append('a');
      await settle();
      expect(batches).toEqual([['a']]);
      await jest.advanceTimersByTimeAsync(400);
      await append('b');
      await settle();
      expect(batches).toEqual([['a'], ['b']]);
    }));

  it('given a read moments ago, when an event is appended, then it is read once lingerMs have passed since that read, not before', () =>
    onFakeClock(async () => {
      await append('a');
      await settle();
      await append('b');
      await settle();
      await jest.advanceTimersByTimeAsync(299);
      expect(batches).toEqual([['a']]);
      await jest.advanceTimersByTimeAsync(1);
      await settle();
      expect(batches).toEqual([['a'], ['b']]);
    }));
});
