import { randomUUID } from 'node:crypto';
import { accountStream, contactStream, type AccountFacts } from '@mam/domain';
import { InMemoryEventStore, type NewEvent } from '@mam/event-store';
import { CommandExecutor } from '../commands/command-executor';
import { CommandMetrics, MetricsRegistry } from '../ops/metrics.service';
import { CrmCommands } from './crm.commands';

const A = 'acct-batch';
const at = { at: '2026-01-01T00:00:00.000Z' };
const facts: AccountFacts = { accountId: A, name: 'A', hostingLocation: 'eu', sandbox: false, subscriptions: [], sensitiveData: false };
const upserted = (contactId: string, email: string): NewEvent => ({
  id: randomUUID(),
  type: 'ContactUpserted',
  data: { accountId: A, contactId, email, properties: {} },
  metadata: at,
});

/** The in-memory store, counting its stream reads: the batch must read its contacts in one call. */
class CountingStore extends InMemoryEventStore {
  singleReads: string[] = [];
  manyReads = 0;
  /** Runs once, right after the next readStreams (a concurrent writer between the batch's read and its append). */
  afterNextManyRead?: () => Promise<void>;

  override async readStream(streamId: string, afterRevision?: bigint) {
    this.singleReads.push(streamId);
    return super.readStream(streamId, afterRevision);
  }

  override async readStreams(streamIds: readonly string[]) {
    this.manyReads++;
    const read = await super.readStreams(streamIds);
    const hook = this.afterNextManyRead;
    this.afterNextManyRead = undefined;
    await hook?.();
    return read;
  }
}

describe('CrmCommands.batch', () => {
  let store: CountingStore;
  let crm: CrmCommands;

  beforeEach(async () => {
    store = new CountingStore();
    crm = new CrmCommands(new CommandExecutor(store, new CommandMetrics(new MetricsRegistry())));
    await store.append(accountStream(A), [{ id: randomUUID(), type: 'AccountRegistered', data: facts, metadata: at }], 'no_stream');
    await store.append(contactStream(A, 'same'), [upserted('same', 'same@example.com')], 'no_stream');
    await store.append(contactStream(A, 'moved'), [upserted('moved', 'old@example.com')], 'no_stream');
    await store.append(contactStream(A, 'gone'), [upserted('gone', 'gone@example.com')], 'no_stream');
    store.singleReads = [];
  });

  const typesOf = async (contactId: string) => (await store.readStream(contactStream(A, contactId))).map((e) => `${e.type}:${(e.data as { email?: string }).email ?? ''}`);

  it('given unchanged, changed, new and deleted contacts, when batched, then one read for all contacts and one event only where something changed', async () => {
    const head = await store.headPosition();
    const result = await crm.batch(
      undefined,
      A,
      [
        { contactId: 'same', email: 'same@example.com', properties: {} },
        { contactId: 'moved', email: 'new@example.com', properties: {} },
        { contactId: 'fresh', email: 'fresh@example.com', properties: {} },
      ],
      ['gone', 'never-was'],
    );

    expect(store.singleReads).toEqual([accountStream(A)]);
    expect(store.manyReads).toBe(1);
    const appended = await store.readAll({ after: head, limit: 100 });
    expect(appended.map((e) => `${e.streamId} ${e.type}`)).toEqual([
      `${contactStream(A, 'moved')} ContactUpserted`,
      `${contactStream(A, 'fresh')} ContactUpserted`,
      `${contactStream(A, 'gone')} ContactDeleted`,
    ]);
    expect(result.position).toBe(appended[2].position.toString());
  });

  it('given a contact written by someone else between the batch read and its append, then the batch is decided again on fresh state: nothing lost, nothing doubled', async () => {
    store.afterNextManyRead = () => store.append(contactStream(A, 'moved'), [upserted('moved', 'other@example.com')], 0n).then(() => undefined);

    await crm.batch(
      undefined,
      A,
      [
        { contactId: 'moved', email: 'mine@example.com', properties: {} },
        { contactId: 'fresh', email: 'fresh@example.com', properties: {} },
      ],
      [],
    );

    expect(store.manyReads).toBe(2);
    expect(await typesOf('moved')).toEqual(['ContactUpserted:old@example.com', 'ContactUpserted:other@example.com', 'ContactUpserted:mine@example.com']);
    expect(await typesOf('fresh')).toEqual(['ContactUpserted:fresh@example.com']);
  });

  it('given the same batch sent again, then it appends nothing and answers a position', async () => {
    const batch = [{ contactId: 'fresh', email: 'fresh@example.com', properties: {} }];
    await crm.batch(undefined, A, batch, ['gone']);
    const head = await store.headPosition();
    const again = await crm.batch(undefined, A, batch, ['gone']);
    expect(await store.headPosition()).toBe(head);
    expect(BigInt(again.position)).toBe(head);
  });
});
