import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { EventStoreUnavailableError, InMemoryEventStore, type RecordedEvent } from '@mam/event-store';
import { InMemoryReadStore } from '@mam/read-store';
import { PARKED_COLLECTION, type ParkedEvent } from '../projections/parked-events';
import type { PolicyCommand, ProcessManager, Saga, SagaContext } from './saga';
import { SagaRunner, type Dispatch, type SagaRunnerOptions } from './saga-runner';
import { policyCommandId } from './lifecycle.saga';

/**
 * The runner around any saga: checkpoint in the read store, deterministic
 * command ids, retries with backoff, parking. A fake saga reacts to `Ping`
 * events with one EvictMember per account in `data.accounts`; a fake
 * dispatch records what it is given.
 */
const SAGA = 'saga:test';

const fakeSaga: Saga = {
  name: SAGA,
  eventTypes: new Set(['Ping']),
  commandId: (event, command) => policyCommandId(event, SAGA, command),
  async react(event) {
    const { organizationId, accounts = ['a'] } = event.data as { organizationId: string; accounts?: string[] };
    return accounts.map((accountId): PolicyCommand => ({ type: 'EvictMember', data: { organizationId, accountId, reason: 'downgrade' } }));
  },
};

const noContext: SagaContext = { account: async () => null, organization: async () => null };

interface Dispatched {
  organizationId: string;
  commandId: string;
  causationId: string;
}

class Harness {
  readonly events = new InMemoryEventStore();
  readonly readStore = new InMemoryReadStore();
  readonly dispatched: Dispatched[] = [];
  /** Replace to make dispatch fail. */
  behaviour: (d: Dispatched) => Promise<void> = async () => undefined;
  private runners: SagaRunner[] = [];

  readonly dispatch: Dispatch = async (command, commandId, causationId) => {
    const d = { organizationId: command.data.organizationId, commandId, causationId };
    this.dispatched.push(d);
    await this.behaviour(d);
  };

  async append(streamId: string, type: string, data: Record<string, unknown>): Promise<RecordedEvent> {
    await this.events.append(streamId, [{ id: randomUUID(), type, data, metadata: { at: new Date().toISOString() } }], 'any');
    const stream = await this.events.readStream(streamId);
    return stream[stream.length - 1];
  }

  ping(organizationId: string, accounts = ['a']): Promise<RecordedEvent> {
    return this.append(`organization-${organizationId}`, 'Ping', { organizationId, accounts });
  }

  async start(options: SagaRunnerOptions = {}): Promise<SagaRunner> {
    const runner = new SagaRunner(fakeSaga, this.events, this.readStore, noContext, this.dispatch, { backoffMs: 1, ...options });
    this.runners.push(runner);
    await runner.start();
    return runner;
  }

  /** Until the runner has handled the log's head (bounded). */
  async caughtUp(runner: { reached(position: bigint): boolean }, timeoutMs = 3000): Promise<void> {
    const head = (await this.events.headPosition()) ?? 0n;
    await until(() => runner.reached(head), timeoutMs, `runner to reach ${head}`);
  }

  async parked(): Promise<ParkedEvent[]> {
    return (await this.readStore.find<ParkedEvent>(PARKED_COLLECTION, { projection: SAGA })).map((s) => s.doc);
  }

  async close(): Promise<void> {
    for (const r of this.runners) await r.stop();
    await this.events.close();
  }
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The id the runner gives the reaction's command for `accountId`. */
const idFor = (event: RecordedEvent, accountId = 'a') => {
  const { organizationId } = event.data as { organizationId: string };
  return policyCommandId(event, SAGA, { type: 'EvictMember', data: { organizationId, accountId, reason: 'downgrade' } });
};

describe('SagaRunner', () => {
  let h: Harness;
  let logged: jest.SpyInstance;
  beforeEach(() => {
    h = new Harness();
    logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    await h.close();
    logged.mockRestore();
  });

  it('reacts to its event types only, with the causing event as causation', async () => {
    const ping = await h.ping('o1');
    await h.append('account-a', 'AccountRegistered', { accountId: 'a' });
    const runner = await h.start();
    await h.caughtUp(runner);
    expect(h.dispatched).toEqual([{ organizationId: 'o1', commandId: idFor(ping), causationId: ping.id }]);
    expect(await h.readStore.checkpoint(SAGA)).toBe(await h.events.headPosition());
  });

  it('given a long stretch of events of other types, when it follows, then the store hands it none of them and its stored checkpoint moves past them: a restart reads on from there', async () => {
    const ping = await h.ping('o1');
    for (let i = 0; i < 5; i++) {
      await h.events.append(`crm-${i}`, Array.from({ length: 100 }, () => ({ id: randomUUID(), type: 'ContactUpserted', data: {}, metadata: { at: new Date().toISOString() } })), 'any');
    }
    const subscribe = jest.spyOn(h.events, 'subscribe');
    const handle = jest.spyOn(SagaRunner.prototype as unknown as { handle(batch: RecordedEvent[]): Promise<void> }, 'handle');
    try {
      const runner = await h.start();
      await h.caughtUp(runner);
      expect(subscribe.mock.calls[0][1].eventTypes).toEqual(['Ping']);
      expect(handle.mock.calls.flatMap(([batch]) => batch.map((e) => e.type))).toEqual(['Ping']);
      await runner.stop();
      const head = await h.events.headPosition();
      expect(await h.readStore.checkpoint(SAGA)).toBe(head);

      // Restarted: it subscribes from past the stretch, and goes on reacting to what is new.
      const again = await h.start();
      expect(subscribe.mock.calls[1][1].after).toBe(head);
      const next = await h.ping('o2');
      await h.caughtUp(again);
      expect(h.dispatched.map((d) => d.causationId)).toEqual([ping.id, next.id]);
    } finally {
      handle.mockRestore();
      subscribe.mockRestore();
    }
  });

  it('given only events it ignores, then the stored checkpoint follows them within a second of quiet, without a batch of its own', async () => {
    const runner = await h.start();
    const last = await h.append('account-a', 'AccountRegistered', { accountId: 'a' });
    await h.caughtUp(runner);
    expect(runner.reached(last.position)).toBe(true);
    await until(async () => (await h.readStore.checkpoint(SAGA)) === last.position, 15_000, 'the checkpoint of skipped events');
    expect(h.dispatched).toEqual([]);
  }, 30_000);

  it('stores its checkpoint and resumes from it after stop/start: no event is reacted to twice', async () => {
    const first = [await h.ping('o1'), await h.ping('o2')];
    const runner = await h.start();
    await h.caughtUp(runner);
    await runner.stop();
    expect(await h.readStore.checkpoint(SAGA)).toBe(first[1].position);

    // Appended while stopped: the next start picks up from the checkpoint.
    const later = [await h.ping('o3'), await h.ping('o4')];
    const again = await h.start();
    await h.caughtUp(again);
    const live = await h.ping('o5');
    await h.caughtUp(again);

    expect(h.dispatched.map((d) => d.causationId)).toEqual([...first, ...later, live].map((e) => e.id));
    expect(await h.readStore.checkpoint(SAGA)).toBe(live.position);
    expect((await again.info()).lag).toBe('0');
  });

  it('given a burst of ignored events and then quiet, then the stored checkpoint reaches them without another batch or a stop (other processes read it)', async () => {
    await h.append('account-a', 'AccountRegistered', { accountId: 'a' });
    const runner = await h.start();
    await h.caughtUp(runner);
    // Right after a stored checkpoint: this one is only held in memory at first.
    const last = await h.append('account-b', 'AccountRegistered', { accountId: 'b' });
    await h.caughtUp(runner);
    // Bounded generously: it is due a second after the last store, and this machine may be loaded.
    await until(async () => (await h.readStore.checkpoint(SAGA)) === last.position, 15_000, 'the checkpoint stored while idle');
    expect(runner.reached(last.position)).toBe(true);
  }, 30_000);

  it('stores the checkpoint of ignored events at most once a second, and where it got to at stop', async () => {
    await h.append('account-a', 'AccountRegistered', { accountId: 'a' });
    const runner = await h.start();
    await h.caughtUp(runner);
    const first = await h.readStore.checkpoint(SAGA);
    expect(first).toBe(await h.events.headPosition());

    // More ignored events right after: handled (in memory), their checkpoint not yet written.
    await h.append('account-b', 'AccountRegistered', { accountId: 'b' });
    await h.caughtUp(runner);
    expect(await h.readStore.checkpoint(SAGA)).toBe(first);

    // An event it reacts to is checkpointed at once, whatever the interval.
    const ping = await h.ping('o1');
    await h.caughtUp(runner);
    expect(await h.readStore.checkpoint(SAGA)).toBe(ping.position);

    const ignored = await h.append('account-c', 'AccountRegistered', { accountId: 'c' });
    await h.caughtUp(runner);
    await runner.stop();
    expect(await h.readStore.checkpoint(SAGA)).toBe(ignored.position);
    expect(h.dispatched.map((d) => d.causationId)).toEqual([ping.id]);
  });

  it('checkpoints after each reaction, also when the batch ends later', async () => {
    const pings = [await h.ping('o1'), await h.ping('o2'), await h.ping('o3')];
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    h.behaviour = async (d) => {
      if (d.organizationId === 'o3') await blocked;
    };
    const runner = await h.start();
    await until(() => h.dispatched.length === 3, 3000, 'the third dispatch');
    // Stuck on the third reaction: the first two are already checkpointed.
    expect(await h.readStore.checkpoint(SAGA)).toBe(pings[1].position);
    release();
    await h.caughtUp(runner);
    expect(await h.readStore.checkpoint(SAGA)).toBe(pings[2].position);
  });

  it('derives command ids from the event, so a redelivery dispatches the same ids', async () => {
    const ping = await h.ping('o1', ['a', 'b']);
    const runner = await h.start();
    await h.caughtUp(runner);
    await runner.stop();
    // A crash before the checkpoint, as far as the runner can tell: the event comes again.
    await h.readStore.reset([], [SAGA]);
    const again = await h.start();
    await h.caughtUp(again);

    const ids = [idFor(ping, 'a'), idFor(ping, 'b')];
    expect(ids[0]).toMatch(new RegExp(`^${ping.id}:${SAGA}:`));
    expect(ids[0]).not.toBe(ids[1]);
    expect(h.dispatched.map((d) => d.commandId)).toEqual([...ids, ...ids]);
    expect(new Set(h.dispatched.map((d) => d.causationId))).toEqual(new Set([ping.id]));
  });

  it('retries a dispatch that fails twice, then succeeds (same command id each time, nothing parked)', async () => {
    const ping = await h.ping('o1');
    const next = await h.ping('o2');
    let failures = 0;
    h.behaviour = async (d) => {
      if (d.organizationId === 'o1' && failures < 2) {
        failures += 1;
        throw new Error('store unavailable');
      }
    };
    const started = Date.now();
    const runner = await h.start({ attempts: 5, backoffMs: 10 });
    await h.caughtUp(runner);

    expect(h.dispatched.map((d) => d.commandId)).toEqual([idFor(ping), idFor(ping), idFor(ping), idFor(next)]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(10 + 20); // backoff doubles: 10 ms, then 20 ms
    expect(await h.parked()).toEqual([]);
    expect((await runner.info()).parked).toBe(0);
    expect(await h.readStore.checkpoint(SAGA)).toBe(next.position);
  });

  it('waits out a store outage longer than its attempts: nothing parked, the reaction happens once the store is back', async () => {
    const ping = await h.ping('o1');
    let outage = 8; // more failures than attempts
    h.behaviour = async () => {
      if (outage-- > 0) throw new EventStoreUnavailableError('KurrentDB unavailable: leader election');
    };
    const runner = await h.start({ attempts: 3, backoffMs: 1 });
    await h.caughtUp(runner);
    expect(h.dispatched.map((d) => d.commandId)).toEqual(Array(9).fill(idFor(ping)));
    expect(await h.parked()).toEqual([]);
  });

  it('retries a reaction whose saga throws, like a failed dispatch', async () => {
    const ping = await h.ping('o1');
    let calls = 0;
    const flaky: Saga = {
      ...fakeSaga,
      async react(event, context) {
        calls += 1;
        if (calls === 1) throw new Error('context read failed');
        return fakeSaga.react(event, context);
      },
    };
    const runner = new SagaRunner(flaky, h.events, h.readStore, noContext, h.dispatch, { backoffMs: 1 });
    await runner.start();
    await h.caughtUp(runner);
    await runner.stop();
    expect(calls).toBe(2);
    expect(h.dispatched).toEqual([{ organizationId: 'o1', commandId: idFor(ping), causationId: ping.id }]);
  });

  it('parks an event whose dispatch always fails after `attempts`, with the error, and goes on with the next', async () => {
    const bad = await h.ping('bad');
    const good = await h.ping('good');
    h.behaviour = async (d) => {
      if (d.organizationId === 'bad') throw new Error('the decider blew up');
    };
    const runner = await h.start({ attempts: 3, backoffMs: 1 });
    await h.caughtUp(runner);

    expect(h.dispatched.filter((d) => d.organizationId === 'bad')).toHaveLength(3);
    expect(h.dispatched.filter((d) => d.organizationId === 'good')).toEqual([
      { organizationId: 'good', commandId: idFor(good), causationId: good.id },
    ]);
    const parked = await h.parked();
    expect(parked).toEqual([
      expect.objectContaining({
        id: `${SAGA}:${bad.id}`,
        projection: SAGA,
        eventId: bad.id,
        streamId: bad.streamId,
        type: 'Ping',
        position: bad.position.toString(),
        error: 'Error: the decider blew up',
      }),
    ]);
    expect((await runner.info()).parked).toBe(1);
    expect(await h.readStore.checkpoint(SAGA)).toBe(good.position);
    expect(logged).toHaveBeenCalledWith(`parked Ping at ${bad.position} after 3 attempts: Error: the decider blew up`);

    // A restart neither retries the parked event nor forgets the count.
    await runner.stop();
    const again = await h.start({ attempts: 3, backoffMs: 1 });
    await h.caughtUp(again);
    expect(h.dispatched.filter((d) => d.organizationId === 'bad')).toHaveLength(3);
    expect((await again.info()).parked).toBe(1);
  });

  it('gives a command the same id when a redelivery issues fewer commands (not its index in the list)', async () => {
    // Judged on newer state, the redelivered reaction issues only the second command.
    const ping = await h.ping('o1', ['a', 'b']);
    const runner = await h.start();
    await h.caughtUp(runner);
    await runner.stop();
    await h.events.append(ping.streamId, [{ id: randomUUID(), type: 'Noise', data: {}, metadata: { at: '' } }], 'any');
    const fewer: Saga = { ...fakeSaga, react: async (e, c) => (await fakeSaga.react(e, c)).slice(1) };
    await h.readStore.reset([], [SAGA]);
    const again = new SagaRunner(fewer, h.events, h.readStore, noContext, h.dispatch, { backoffMs: 1 });
    await again.start();
    await h.caughtUp(again);
    await again.stop();
    expect(h.dispatched.map((d) => d.commandId)).toEqual([idFor(ping, 'a'), idFor(ping, 'b'), idFor(ping, 'b')]);
  });

  it('stopping while a reaction is retried parks nothing and leaves the event for the next start', async () => {
    const ping = await h.ping('o1');
    let failing = true;
    h.behaviour = async () => {
      if (failing) throw new Error('store going away');
    };
    const runner = await h.start({ attempts: 5, backoffMs: 50 });
    await until(() => h.dispatched.length >= 1, 1000, 'a first attempt');
    await runner.stop();
    expect(await h.parked()).toEqual([]);
    expect(await h.readStore.checkpoint(SAGA)).toBeNull();

    failing = false;
    const again = await h.start();
    await h.caughtUp(again);
    expect(h.dispatched.at(-1)).toEqual({ organizationId: 'o1', commandId: idFor(ping), causationId: ping.id });
    expect(await h.parked()).toEqual([]);
    expect(await h.readStore.checkpoint(SAGA)).toBe(ping.position);
  });

  it('reports its position, lag, status and parked count', async () => {
    await h.ping('o1');
    const runner = await h.start();
    await h.caughtUp(runner);
    await until(async () => (await runner.info()).status === 'live', 1000, 'live');
    const head = (await h.events.headPosition())!.toString();
    expect(await runner.info()).toEqual({ name: SAGA, position: head, lag: '0', status: 'live', parked: 0 });
    await runner.stop();
    expect((await runner.info()).status).toBe('stopped');
  });

  it('runs any process manager: its own command type, context and command ids, dispatched as it says', async () => {
    interface Greet { type: 'Greet'; name: string }
    const greeter: ProcessManager<Greet, { names: string[] }> = {
      name: 'process:greeter',
      eventTypes: new Set(['Ping']),
      commandId: (event, command) => `${event.id}:greet:${command.name}`,
      async react(_event, context) {
        return context.names.map((name): Greet => ({ type: 'Greet', name }));
      },
    };
    const ping = await h.ping('o1');
    const greeted: string[] = [];
    const runner = new SagaRunner(greeter, h.events, h.readStore, { names: ['ann', 'bo'] }, async (command, commandId, causationId) => {
      greeted.push(`${command.name} ${commandId} ${causationId}`);
    });
    await runner.start();
    await h.caughtUp(runner);
    await runner.stop();
    expect(greeted).toEqual([`ann ${ping.id}:greet:ann ${ping.id}`, `bo ${ping.id}:greet:bo ${ping.id}`]);
    expect(await h.readStore.checkpoint('process:greeter')).toBe(ping.position);
  });
});
