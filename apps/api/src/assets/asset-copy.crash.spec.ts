import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { assetStream, type AssetFields } from '@mam/domain';
import { EventStoreUnavailableError, SqliteEventStore, type EventStore, type RecordedEvent, type StreamAppend } from '@mam/event-store';
import { InMemoryReadStore } from '@mam/read-store';
import { administered, created, InMemorySagaContext, oneWay, ORG, USER, withMembership, type SpecEvent } from '@mam/testing';
import { CommandExecutor } from '../commands/command-executor';
import { CommandMetrics, MetricsRegistry } from '../ops/metrics.service';
import { SagaRunner } from '../sagas/saga-runner';
import { AssetCommands } from './asset.commands';
import { eventStoreAssetCopyContext } from './asset-copy.context';
import { ASSET_COPY_PROCESS, assetCopyProcess } from './asset-copy.process';

/**
 * The asset-copy process on the real runner and the embedded event store,
 * through crashes: the copy's assets and its completion are one atomic
 * multi-stream append, so a crash leaves the target with all of them or
 * none, and the restarted process completes the copy without doubling it.
 */
const S = 'source';
const T = 'target';
const EMAILS = 20;

/** A process: the runner and the command pipeline over the shared stores. */
function processOn(events: EventStore, readStore: InMemoryReadStore) {
  const commands = new AssetCommands(new CommandExecutor(events, new CommandMetrics(new MetricsRegistry())), events, { assetCopyMaxBytes: 64 * 1024 * 1024 });
  const runner = new SagaRunner(assetCopyProcess, events, readStore, eventStoreAssetCopyContext(events), (c, id, cause) => commands.carryOut(c, id, cause), { backoffMs: 1 });
  return { commands, runner };
}

/** Fails every append that writes a copied asset while `down` is set: the process dies before the commit. */
function crashingStore(inner: EventStore) {
  const state = { down: true, refused: 0 };
  const store: EventStore = Object.create(inner);
  store.appendMany = async (appends: StreamAppend[]) => {
    if (state.down && appends.some((a) => a.events.some((e) => e.type === 'AssetCopied'))) {
      state.refused += 1;
      throw new EventStoreUnavailableError('process killed before the commit');
    }
    return inner.appendMany(appends);
  };
  return { store, state };
}

describe('asset copies through crashes and redeliveries (AC3, AC4)', () => {
  let dir: string;
  let events: SqliteEventStore;
  let readStore: InMemoryReadStore;
  const runners: Array<SagaRunner<any, any>> = [];

  beforeEach(() => {
    // The simulated crash is logged as a store outage; the tests assert on the stores, not the log.
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    dir = mkdtempSync(join(tmpdir(), 'mam-asset-copy-'));
    events = new SqliteEventStore(join(dir, 'events.sqlite'));
    readStore = new InMemoryReadStore();
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    for (const r of runners.splice(0)) await r.stop();
    await events.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function append(streamId: string, list: SpecEvent[]): Promise<void> {
    await events.append(streamId, list.map((e) => ({ id: randomUUID(), type: e.type, data: e.data, metadata: { at: new Date().toISOString() } })), 'any');
  }

  /** An organization of primary, S and T with a copying flow S → T; in S, EMAILS emails sharing one list and one form. */
  async function given(): Promise<void> {
    const facts = [...administered('primary'), ...administered(S), ...administered(T), ...withMembership(created(['primary', S, T], { connections: [oneWay(S, T, { assetCopying: true })] }))];
    for (const e of facts) await append(InMemorySagaContext.streamOf(e)!, [e]);
    const asset = (assetId: string, fields: Partial<AssetFields>): SpecEvent => ({
      type: 'AssetSaved',
      data: { accountId: S, assetId, type: 'list', name: assetId, automated: false, draft: false, content: { n: assetId }, references: [], ...fields },
    });
    await append(assetStream(S, 'list'), [asset('list', {})]);
    await append(assetStream(S, 'form'), [asset('form', { type: 'form' })]);
    for (let i = 0; i < EMAILS; i++) {
      await append(assetStream(S, `e${i}`), [asset(`e${i}`, { type: 'marketing-email', automated: true, references: ['list', 'form'] })]);
    }
  }

  const all = async (): Promise<RecordedEvent[]> => events.readAll({ after: null, limit: 100_000 });
  const ofType = async (type: string) => (await all()).filter((e) => e.type === type);
  async function until(check: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  const start = async (runner: SagaRunner<any, any>) => {
    runners.push(runner);
    await runner.start();
    return runner;
  };

  async function requestCopy(commands: AssetCommands, copyId = 'copy-1') {
    return commands.requestCopy(undefined, { copyId, organizationId: ORG, sourceAccountId: S, targetAccountId: T, assetIds: Array.from({ length: EMAILS }, (_, i) => `e${i}`), actorUserId: USER });
  }

  it('AC4 a crash between two assets of one request: nothing half-written, the restart completes it, no duplicates', async () => {
    await given();
    const crashing = crashingStore(events);
    const first = processOn(crashing.store, readStore);
    await requestCopy(first.commands);
    await start(first.runner);
    await until(async () => crashing.state.refused >= 2, 'the copy to be attempted');
    await first.runner.stop(); // the process dies here
    runners.splice(runners.indexOf(first.runner), 1);

    expect(await ofType('AssetCopied')).toEqual([]);
    expect(await ofType('AssetCopyCompleted')).toEqual([]);

    const restarted = processOn(events, readStore);
    await start(restarted.runner);
    await until(async () => (await ofType('AssetCopyCompleted')).length > 0, 'the copy to complete');

    const copied = await ofType('AssetCopied');
    // AC3: every email once, the shared list and form once each.
    expect(copied).toHaveLength(EMAILS + 2);
    expect(new Set(copied.map((e) => e.streamId)).size).toBe(EMAILS + 2);
    expect(copied.filter((e) => (e.data as { type: string }).type === 'list')).toHaveLength(1);
    const ids = (await all()).map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('AC4 a redelivery after the copy committed but before the checkpoint was stored appends nothing', async () => {
    await given();
    const p = processOn(events, readStore);
    const { position } = await requestCopy(p.commands);
    await start(p.runner);
    await until(async () => (await ofType('AssetCopyCompleted')).length > 0, 'the copy to complete');
    await p.runner.stop();
    runners.splice(runners.indexOf(p.runner), 1);
    const before = (await all()).length;

    // The checkpoint is lost with the crash: the restarted process gets the request again.
    await readStore.commit({ puts: [], deletes: [], checkpoints: [{ name: ASSET_COPY_PROCESS, position: BigInt(position) - 1n }] });
    const restarted = processOn(events, readStore);
    await start(restarted.runner);
    await until(async () => restarted.runner.reached(BigInt(position)), 'the request to be redelivered');
    expect((await all()).length).toBe(before);

    // Even carried out again with the same command id (a process that read the copy as pending), nothing is doubled.
    const [request] = await ofType('AssetCopyRequested');
    await restarted.commands.carryOut({ type: 'CarryOutAssetCopy', data: { copyId: 'copy-1', asOf: position } }, assetCopyProcess.commandId(request, { type: 'CarryOutAssetCopy', data: { copyId: 'copy-1', asOf: position } }), request.id);
    expect((await all()).length).toBe(before);
  });

  it('AC4 two processes running the same request by mistake still copy it once', async () => {
    await given();
    const a = processOn(events, readStore);
    const b = processOn(events, new InMemoryReadStore());
    await requestCopy(a.commands);
    await Promise.all([start(a.runner), start(b.runner)]);
    await until(async () => (await ofType('AssetCopyCompleted')).length > 0, 'the copy to complete');
    const head = (await events.headPosition())!;
    await until(async () => a.runner.reached(head) && b.runner.reached(head), 'both processes to catch up');
    expect(await ofType('AssetCopied')).toHaveLength(EMAILS + 2);
    expect(await ofType('AssetCopyCompleted')).toHaveLength(1);
  });
});
