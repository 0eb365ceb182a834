import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { READ_STORE, type GenerationalReadStore } from '@mam/read-store';
import { TestApp } from '../../api/test/test-app';
import { eligibleAccounts, features, givenOrganization, ok, uid } from '../../api/test/fixtures';
import { runOps } from './ops-cli';

/**
 * `ops rebuild <one>` from its own process while the service takes writes:
 * during it, read-your-writes holds on the read model being rebuilt; when it
 * is done, every acknowledged activity is in the mirrored views exactly once
 * and every read model is at the head.
 */
const CONTACTS = 20;

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('ops rebuild of one read model while activities are logged', () => {
  let t: TestApp;
  beforeAll(async () => (t = await TestApp.start({ RUN_SAGAS: 'false' })));
  afterAll(() => t.close());

  it('given a service taking activities and user edits, when `rebuild accounts` runs in another process, then reads stay fresh during it, and afterwards every activity is there exactly once and every read model is at the head', async () => {
    // S mirrors one way into T; T's sales user sees S's contacts (and their activities) on T's matching ones.
    const e = await eligibleAccounts(t, 3, 'rebuild');
    const [S, T] = e.others;
    const sales = uid('rebuild-sales');
    await ok(t.request('PUT', `/v1/accounts/${T}/users/${sales}`, { body: { roles: [], seats: ['sales'] } }));
    await givenOrganization(t, e, { connections: [{ accounts: [S, T], direction: 'one-way', from: S, features: features({ dataMirroring: true }) }] });
    const contacts = Array.from({ length: CONTACTS }, (_, i) => ({ contactId: `c${i}`, email: `c${i}@example.com` }));
    for (const account of [S, T]) await ok(t.request('POST', `/v1/accounts/${account}/contacts:batch`, { body: { upserts: contacts, deletes: [] } }));

    let writing = true;
    const failures: string[] = [];
    const logged = new Map<string, string[]>(contacts.map((c) => [c.contactId, []]));
    const loggedCount = () => [...logged.values()].reduce((sum, ids) => sum + ids.length, 0);
    let n = 0;
    const logger = async () => {
      while (writing) {
        const i = n++;
        const contactId = `c${i % CONTACTS}`;
        const res = await t.request('POST', `/v1/accounts/${S}/contacts/${contactId}/activities`, {
          body: { activityId: `a${i}`, type: 'note', occurredAt: '2026-11-01T10:00:00Z', summary: `note ${i}` },
        });
        if (res.status !== 201) throw new Error(`activity answered ${res.status}: ${JSON.stringify(res.body)}`);
        logged.get(contactId)!.push(`a${i}`);
      }
    };
    // Read-your-writes on the read model being rebuilt, across the switch.
    const stale: string[] = [];
    let reads = 0;
    const reader = async () => {
      for (let i = 0; writing; i++) {
        // Its own account: a stream that grows with every edit would slow the activities down.
        const [userId, seat] = [`u${i % 10}`, i % 20 < 10 ? 'sales' : 'service'];
        const put = await t.request('PUT', `/v1/accounts/${e.primary}/users/${userId}`, { body: { roles: [], seats: [seat] } });
        if (put.status !== 200) throw new Error(`user edit answered ${put.status}: ${JSON.stringify(put.body)}`);
        const got = await t.read(`/v1/accounts/${e.primary}`, put.body.position);
        reads++;
        const user = got.status === 200 ? (got.body.users as Array<{ userId: string; seats: string[] }>).find((u) => u.userId === userId) : undefined;
        if (user?.seats[0] !== seat) stale.push(`${userId}@${put.body.position}: ${got.status} ${JSON.stringify(user)}`);
      }
    };
    const guarded = (loop: () => Promise<void>) =>
      loop().catch((error: unknown) => {
        failures.push(String(error));
        writing = false;
      });
    const loops = [...Array.from({ length: 6 }, () => guarded(logger)), guarded(reader)];
    const going = (what: string) => async () => {
      if (failures.length) throw new Error(`${what}: the writes failed: ${failures.join('; ')}`);
      return true;
    };

    const readStore = t.app.get<GenerationalReadStore>(READ_STORE);
    try {
      await until(async () => (await going('before the rebuild')()) && loggedCount() >= 500, 60_000, 'activities before the rebuild');
      const cli = await runOps(t.dataDir, ['rebuild', 'accounts']);
      expect({ code: cli.code, errors: cli.stderr.split('\n').filter((l) => /error/i.test(l)) }).toEqual({ code: 0, errors: [] });
      expect(cli.stdout).toMatch(/generation 1 of accounts is now the one served/);
      await until(async () => (await going('the switch')()) && readStore.generationOf('accounts') === 1, 10_000, 'the service switched');
      await new Promise((r) => setTimeout(r, 1000)); // writes go on past the switch
      await until(async () => (await going('after the switch')()) && loggedCount() >= 2000, 60_000, 'a few thousand activities');
    } finally {
      writing = false;
      await Promise.all(loops);
    }
    expect(failures).toEqual([]);
    process.stdout.write(`${loggedCount()} activities and ${reads} read-your-writes reads during the rebuild\n`);
    expect(stale).toEqual([]);
    expect(reads).toBeGreaterThan(0);

    const head = (await t.headPosition()).toString();
    const readModels = async () =>
      ((await t.request('GET', '/v1/ops/projections')).body.items as Array<{ name: string; position: string; lag: string }>)
        .filter((i) => ['accounts', 'account-users', 'organizations', 'organization-history', 'mirroring'].includes(i.name))
        .map((i) => ({ name: i.name, position: i.position, lag: i.lag }));
    await until(async () => (await readModels()).every((i) => i.position === head), 10_000, 'every read model at the head');
    expect(await readModels()).toHaveLength(5);

    for (const [contactId, ids] of logged) {
      const view = await t.read(`/v1/accounts/${T}/contacts/${contactId}/mirrored`, head, { 'x-actor-user-id': sales });
      expect(view.status).toBe(200);
      const shown = (view.body.sources[0].activities as Array<{ activityId: string }>).map((a) => a.activityId).sort();
      expect({ contactId, activities: shown }).toEqual({ contactId, activities: [...ids].sort() });
    }
  }, 180_000);
});

describe('ops rebuild on an empty event store', () => {
  it('given no event at all, when every read model is rebuilt, then the command returns and the new generation is served', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mam-empty-'));
    try {
      const cli = await runOps(dataDir, ['rebuild', '--all'], 45_000);
      expect(cli.code).toBe(0);
      expect(cli.stdout).toMatch(/generation 1 of .* is now the one served/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
