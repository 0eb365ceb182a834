import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { SqliteEventStore, type NewEvent, type StreamAppend } from '@mam/event-store';
import { SqliteReadStore, type ReadStore, type WriteSet } from '@mam/read-store';
import { ProjectionRunner } from './projection-runner';
import { ALL_PROJECTIONS } from './projection-registry';

const at = '2026-11-01T00:00:00.000Z';
const ev = (type: string, data: object): NewEvent => ({ id: randomUUID(), type, data, metadata: { at } });
const mirror = (a: string, b: string, on: boolean) => ({
  accounts: [a, b],
  direction: 'two-way',
  features: { dataMirroring: on, assetCopying: true, workflows: false },
});

/** A history that exercises every projection: facts, users, organizations, flows on and off, CRM data. */
async function seed(events: SqliteEventStore): Promise<void> {
  const appends: StreamAppend[] = [];
  const store = { append: async (streamId: string, list: NewEvent[], expected: 'any') => void appends.push({ streamId, events: list, expected }) };
  for (let o = 0; o < 6; o++) {
    const [a, b, c] = [`o${o}a`, `o${o}b`, `o${o}c`];
    for (const id of [a, b, c]) {
      await store.append(`account-${id}`, [
        ev('AccountRegistered', { accountId: id, name: id, hostingLocation: 'na1', sandbox: false, subscriptions: [{ hub: 'sales', tier: 'professional' }], sensitiveData: false }),
        ev('AccountUserSet', { accountId: id, userId: `u${o}`, roles: ['super-admin'], seats: ['sales'] }),
        ev('AccountJoinedOrganization', { accountId: id, organizationId: `org${o}` }),
      ], 'any');
      for (let k = 0; k < 30; k++) {
        await store.append(`contact-${id}|c${k}`, [
          ev('ContactUpserted', { accountId: id, contactId: `c${k}`, email: `Person${k % 20}@x.com`, properties: { k: String(k) } }),
          ev('ActivityLogged', { accountId: id, contactId: `c${k}`, activityId: `a${k}`, type: 'note', occurredAt: at, summary: 's' }),
        ], 'any');
      }
      await store.append(`deal-${id}|d1`, [ev('DealSaved', { accountId: id, dealId: 'd1', name: 'D', stage: 'closedwon', amount: 5, contactIds: ['c1', 'c2'] })], 'any');
    }
    const acting = { actorUserId: `u${o}`, actingAccountId: a, verification: 'otp' };
    await store.append(`organization-org${o}`, [
      ev('OrganizationCreated', { organizationId: `org${o}`, name: 'O', primaryAccountId: a, hostingLocation: 'na1', memberIds: [a, b, c], connections: [mirror(a, b, true), mirror(b, c, o % 2 === 0)], ...acting, at }),
      ev('ConnectionsConfigured', { organizationId: `org${o}`, connections: [mirror(a, b, o % 3 !== 0), mirror(a, c, true)], ...acting }),
    ], 'any');
    for (let k = 0; k < 10; k++) {
      await store.append(`contact-${b}|c${k}`, [ev('ContactUpserted', { accountId: b, contactId: `c${k}`, email: `changed${k % 4}@x.com`, properties: {} })], 'any');
    }
    await store.append(`contact-${a}|c3`, [ev('ContactDeleted', { accountId: a, contactId: 'c3' })], 'any');
    if (o % 2 === 1) await store.append(`organization-org${o}`, [ev('MemberEvicted', { organizationId: `org${o}`, accountId: c, reason: 'downgrade' })], 'any');
    if (o === 4) await store.append(`organization-org${o}`, [ev('OrganizationDeleted', { organizationId: `org${o}`, releasedAccountIds: [a, b, c], reason: 'no-marketing-enterprise' })], 'any');
  }
  await events.appendMany(appends);
}

/** Every document of every read-model collection, for comparison. */
async function snapshot(store: ReadStore): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const c of ALL_PROJECTIONS.flatMap((p) => p.collections)) {
    out[c.name] = (await store.find(c.name, {})).map((r) => [r.id, r.doc]);
  }
  return out;
}

async function runToHead(events: SqliteEventStore, readStore: ReadStore, batchSize: number): Promise<void> {
  const runner = new ProjectionRunner('test', events, readStore, ALL_PROJECTIONS, { batchSize });
  await runner.start();
  const head = (await events.headPosition())!;
  const ok = await runner.waitFor(head, ALL_PROJECTIONS.map((p) => p.name), 15_000);
  await runner.stop();
  expect(ok).toBe(true);
}

/** Dies on its n-th commit, as a process killed mid-batch would: nothing of that batch lands. */
class DyingStore {
  private commits = 0;
  constructor(readonly inner: SqliteReadStore, private readonly dieAt: number, private readonly onDie: () => void) {}
  wrap(): ReadStore {
    return new Proxy(this.inner, {
      get: (target, prop, receiver) => {
        if (prop === 'commit') {
          return async (writes: WriteSet) => {
            if (++this.commits === this.dieAt) {
              this.onDie();
              return new Promise(() => undefined); // the process is gone: this write never completes
            }
            return target.commit(writes);
          };
        }
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }
}

describe('projection runner: a crash in the middle of a batch', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'mam-crash-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each([2, 5, 9])('given a runner killed during its commit number %i, when a new runner resumes, then the read models equal a fresh rebuild', async (dieAt) => {
    const events = new SqliteEventStore(join(dir, 'events.sqlite'));
    await seed(events);

    // First life: dies while committing a batch.
    const file = join(dir, 'read-models.sqlite');
    let died!: () => void;
    const death = new Promise<void>((resolve) => (died = resolve));
    const dying = new DyingStore(new SqliteReadStore(file), dieAt, () => died());
    // The first life is another process: its own connections, never closed (it dies).
    const firstEvents = new SqliteEventStore(join(dir, 'events.sqlite'));
    const first = new ProjectionRunner('first-life', firstEvents, dying.wrap(), ALL_PROJECTIONS, { batchSize: 97 });
    await first.start();
    await death;
    void first.stop(); // never resolves: its commit hangs forever, like a dead process

    // Second life on the same file: resumes from the checkpoints committed before the crash.
    const resumed = new SqliteReadStore(file);
    const checkpoint = await resumed.checkpoint('accounts');
    expect(checkpoint).not.toBeNull(); // something had been committed before the crash…
    expect(checkpoint! < (await events.headPosition())!).toBe(true); // …and not everything
    await runToHead(events, resumed, 97);
    const fresh = new SqliteReadStore(join(dir, 'fresh.sqlite'));
    await runToHead(events, fresh, 1000);
    expect((await fresh.find('mirror_links', {})).length).toBeGreaterThan(0); // the history exercised mirroring
    expect(await snapshot(resumed)).toEqual(await snapshot(fresh));

    await resumed.close();
    await fresh.close();
    await events.close();
  });
});
