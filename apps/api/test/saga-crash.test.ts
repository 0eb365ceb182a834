import type { RecordedEvent } from '@mam/event-store';
import { READ_STORE, type ReadStore } from '@mam/read-store';
import { OrganizationCommands } from '../src/organizations/organization.commands.service';
import { PARKED_COLLECTION } from '../src/projections/parked-events';
import { eventStoreSagaContext } from '../src/sagas/event-store-saga-context';
import { lifecycleSaga } from '../src/sagas/lifecycle.saga';
import type { PolicyCommand } from '../src/sagas/saga';
import { policyCommandId } from '../src/sagas/lifecycle.saga';
import { TestApp } from './test-app';
import {
  MARKETING_PRO,
  SAGA,
  SALES_STARTER,
  eventually,
  expectCausedBy,
  factEvent,
  getHistory,
  getOrganization,
  givenOrganization,
  historyWith,
  ok,
  oneWay,
  orgEvents,
  reportDeactivation,
  reportHostingMove,
  reportSubscriptions,
  sagaReached,
  type OrgFixture,
} from './saga-fixtures';

// Each test restarts the app (and its stores) several times: on a loaded machine that alone
// takes longer than the suite's default 20 s, and a timeout there says nothing about the rule.
jest.setTimeout(60_000);

/**
 * At-least-once delivery made exactly-once in effect: the saga's checkpoint
 * lives in the read store, its commands carry ids derived from the causing
 * event, and the deciders re-check every policy on the current state. A
 * process that dies anywhere — before the saga ran, after its command was
 * appended but before its checkpoint, between two commands of one reaction —
 * leaves nothing undone and nothing done twice.
 */
describe('saga crash and redelivery', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const a of apps) await a.close().catch(() => undefined);
  });
  const start = async (env: Record<string, string>, dataDir?: string) => {
    const app = await TestApp.start(env, dataDir);
    apps.push(app);
    return app;
  };

  const sagaInfo = async (t: TestApp) =>
    (await ok(t.request('GET', '/v1/ops/projections'))).items.find((i: { name: string }) => i.name === SAGA);
  const checkpoint = (t: TestApp) => t.app.get<ReadStore>(READ_STORE).checkpoint(SAGA);
  const parked = async (t: TestApp) => (await t.app.get<ReadStore>(READ_STORE).find(PARKED_COLLECTION, { projection: SAGA })).length;
  const ofType = async (t: TestApp, f: OrgFixture, type: string) => (await orgEvents(t, f.organizationId)).filter((e) => e.type === type);

  /** What the runner does for one event (read saga-runner.ts): react on the current state, dispatch with ids from the event. */
  async function reactByHand(t: TestApp, fact: RecordedEvent, only?: number): Promise<PolicyCommand[]> {
    const commands = await lifecycleSaga.react(fact, eventStoreSagaContext(t.events));
    const organizations = t.app.get(OrganizationCommands);
    for (const [i, command] of commands.entries()) {
      if (only !== undefined && i !== only) continue;
      await organizations.byPolicy(command, policyCommandId(fact, lifecycleSaga.name, command), fact.id);
    }
    return commands;
  }

  /** Sagas on for the set-up (so the checkpoint is where a previous run left it), then a restart without them. */
  async function withoutSagasAfterSetUp(prefix: string, options: Parameters<typeof givenOrganization>[1] = { prefix }) {
    const t = await start({});
    const f = await givenOrganization(t, { ...options, prefix });
    await sagaReached(t, await t.headPosition());
    await t.restart({ RUN_SAGAS: 'false' });
    return { t, f };
  }

  it('a downgrade reported while no saga ran is acted on once after the restart, and not again after another', async () => {
    const t = await start({ RUN_SAGAS: 'false' });
    const f = await givenOrganization(t, { prefix: 'crash', members: [{ key: 'b' }, { key: 'c' }] });
    await reportSubscriptions(t, f.ids.b, [SALES_STARTER]);
    const fact = await factEvent(t, f.ids.b, 'SubscriptionsChanged');

    // The fact is stored; no saga ran, so the organization is unchanged.
    await new Promise((r) => setTimeout(r, 200));
    expect((await getOrganization(t, f, f.primary)).members.map((m: { accountId: string }) => m.accountId)).toContain(f.ids.b);
    expect(await ofType(t, f, 'MemberEvicted')).toEqual([]);
    expect(await sagaInfo(t)).toMatchObject({ position: null, status: 'elsewhere' });
    await t.close({ keepData: true });
    apps.splice(apps.indexOf(t), 1); // its data directory now belongs to the next app

    const t2 = await start({}, t.dataDir);
    const history = await historyWith(t2, f, f.primary, 'MemberEvicted');
    // The saga starts from the beginning here, so the organization's creation (which it re-checks
    // against the current facts) already reveals the downgrade: that event, not the fact, is the cause.
    const created = (await t2.events.readStream(`organization-${f.organizationId}`))[0];
    const eviction = history.find((e) => e.type === 'MemberEvicted');
    expect(eviction).toMatchObject({ reason: 'downgrade' });
    expect([created.id, fact.id]).toContain(eviction!.causationId);

    await t2.restart();
    await new Promise((r) => setTimeout(r, 300));
    await sagaReached(t2, await t2.headPosition());
    const evicted = await ofType(t2, f, 'MemberEvicted');
    expect(evicted.map((e) => e.data)).toEqual([{ organizationId: f.organizationId, accountId: f.ids.b, reason: 'downgrade' }]);
    expect((await getHistory(t2, f, f.primary)).filter((e) => e.type === 'MemberEvicted')).toHaveLength(1);
    expect(await parked(t2)).toBe(0);
  });

  it('a crash after the command was appended but before the checkpoint: the redelivery appends nothing', async () => {
    const { t, f } = await withoutSagasAfterSetUp('crash-cp');
    await reportHostingMove(t, f.ids.b, 'eu1');
    const fact = await factEvent(t, f.ids.b, 'HostingLocationChanged');

    // The runner's reaction, done, but its checkpoint never written.
    expect(await reactByHand(t, fact)).toEqual([
      { type: 'EvictMember', data: { organizationId: f.organizationId, accountId: f.ids.b, reason: 'hosting-moved' } },
    ]);
    expect(await checkpoint(t)).toBeLessThan(fact.position);
    const count = await t.eventCount();
    // The same command again, as a redelivery would send it: nothing more.
    const evict: PolicyCommand = { type: 'EvictMember', data: { organizationId: f.organizationId, accountId: f.ids.b, reason: 'hosting-moved' } };
    await t.app.get(OrganizationCommands).byPolicy(evict, policyCommandId(fact, lifecycleSaga.name, evict), fact.id);
    expect(await t.eventCount()).toBe(count);

    await t.restart(); // sagas on, from the older checkpoint: the fact is delivered again
    await sagaReached(t, await t.headPosition());
    expect(await checkpoint(t)).toBeGreaterThanOrEqual(fact.position);
    expect(await t.eventCount()).toBe(count);
    expect(await ofType(t, f, 'MemberEvicted')).toHaveLength(1);
    // The eviction was appended by hand, not through HTTP: the read waits for the read models to reach it.
    const history = await getHistory(t, f, f.primary, await t.headPosition());
    expect(history.filter((e) => e.type === 'MemberEvicted')).toHaveLength(1);
    expectCausedBy(history.find((e) => e.type === 'MemberEvicted'), fact, 'hosting-moved');
    expect(await parked(t)).toBe(0);
  });

  it('P6 after a crash between eviction and dissolution: the MemberEvicted event dissolves the organization', async () => {
    const { t, f } = await withoutSagasAfterSetUp('crash-p6', { prefix: 'crash-p6', members: [{ key: 'b' }, { key: 'c' }] });
    await reportDeactivation(t, f.primary);
    const fact = await factEvent(t, f.primary, 'AccountDeactivated');
    // Only the first of the reaction's two commands got through.
    expect((await reactByHand(t, fact, 0)).map((c) => c.type)).toEqual(['EvictMember', 'DissolveOrganization']);
    const [evicted] = await ofType(t, f, 'MemberEvicted');

    await t.restart();
    const history = await historyWith(t, f, f.ids.b, 'OrganizationDeleted');
    await sagaReached(t, await t.headPosition());
    expect((await getHistory(t, f, f.ids.b)).map((e) => e.type)).toEqual(['OrganizationCreated', 'MemberEvicted', 'OrganizationDeleted']);
    expectCausedBy(history[1], fact, 'deactivated');
    // The redelivered fact finds its account gone; the eviction's own event carries P6.
    expectCausedBy(history[2], evicted, 'no-marketing-enterprise');
    expect(await ofType(t, f, 'OrganizationDeleted')).toHaveLength(1);
    expect(await parked(t)).toBe(0);
  });

  it('P5 then P6 after a crash between revocation and dissolution: the redelivered fact still dissolves', async () => {
    const { t, f } = await withoutSagasAfterSetUp('crash-p5', {
      prefix: 'crash-p5',
      connections: (ids) => [oneWay(ids.b, ids.primary)],
    });
    // The primary keeps Marketing Professional (no eviction) but loses MHE (P6) and Sales Pro (C5: it is a mirroring target).
    await reportSubscriptions(t, f.primary, [MARKETING_PRO]);
    const fact = await factEvent(t, f.primary, 'SubscriptionsChanged');
    expect((await reactByHand(t, fact, 0)).map((c) => c.type)).toEqual(['RevokeFlows', 'DissolveOrganization']);
    expect(await ofType(t, f, 'FlowsRevoked')).toHaveLength(1);

    await t.restart();
    const history = await historyWith(t, f, f.primary, 'OrganizationDeleted');
    expect(history.map((e) => e.type)).toEqual(['OrganizationCreated', 'FlowsRevoked', 'OrganizationDeleted']);
    expectCausedBy(history[1], fact, 'mirroring-target-ineligible');
    expectCausedBy(history[2], fact, 'no-marketing-enterprise');
    await sagaReached(t, await t.headPosition());
    expect(await parked(t)).toBe(0);
    expect(await ofType(t, f, 'FlowsRevoked')).toHaveLength(1);
    await eventually(async () => (await getOrganization(t, f, f.primary)).status, (s) => s === 'deleted');
  });
});
