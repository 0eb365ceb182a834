import { TestApp } from './test-app';
import {
  CONTENT_PRO,
  MARKETING_PRO,
  MHE,
  SALES_PRO,
  SALES_STARTER,
  eventually,
  expectCausedBy,
  factEvent,
  getAccount,
  getHistory,
  getOrganization,
  givenAccount,
  givenOrganization,
  historyWith,
  ok,
  oneWay,
  orgEvents,
  orgHeaders,
  putContact,
  mirroredSources,
  reportDeactivation,
  reportHostingMove,
  reportSensitiveData,
  reportSubscriptions,
  sagaReached,
  twoWay,
  uniqueId,
  type OrgFixture,
} from './saga-fixtures';

/**
 * The lifecycle policies end to end: a fact reported over HTTP, the saga
 * reacting in the background from the event store's subscription, the
 * change visible in the organization and its history with the policy's
 * reason and the fact's event id as causation.
 */
describe('lifecycle policies through the real app (P1–P8)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await TestApp.start()));
  afterAll(() => t.close());

  const memberIds = (org: { members: Array<{ accountId: string }> }) => org.members.map((m) => m.accountId).sort();
  const organizationOf = async (accountId: string) => (await getAccount(t, accountId)).organizationId;

  /** Reports the fact, then waits until the history shows an entry of `type`. */
  async function evictionOf(f: OrgFixture, key: string, report: () => Promise<unknown>, factType: string) {
    await report();
    const fact = await factEvent(t, f.ids[key], factType);
    const history = await historyWith(t, f, f.primary, 'MemberEvicted');
    return { fact, history, entry: history.find((e) => e.type === 'MemberEvicted') };
  }

  it('P1 evicts a member left without Professional or higher (reason downgrade, caused by the fact)', async () => {
    const f = await givenOrganization(t, { prefix: 'p1', members: [{ key: 'b' }, { key: 'c' }] });
    const { fact, entry } = await evictionOf(f, 'b', () => reportSubscriptions(t, f.ids.b, [SALES_STARTER]), 'SubscriptionsChanged');

    expectCausedBy(entry, fact, 'downgrade');
    expect(entry!.details).toEqual({ accountId: f.ids.b });
    expect(memberIds(await getOrganization(t, f, f.primary))).toEqual([f.primary, f.ids.c].sort());
    expect(await organizationOf(f.ids.b)).toBeNull();
    const left = (await t.events.readStream(`account-${f.ids.b}`)).at(-1)!;
    expect(left).toMatchObject({ type: 'AccountLeftOrganization', data: { reason: 'downgrade' }, metadata: { causationId: fact.id } });
  });

  it('P1 does nothing when the downgrade keeps another Professional hub', async () => {
    const f = await givenOrganization(t, { prefix: 'p1-keep', members: [{ key: 'b', subscriptions: [SALES_PRO, CONTENT_PRO] }] });
    const { position } = await reportSubscriptions(t, f.ids.b, [SALES_STARTER, CONTENT_PRO]);
    await sagaReached(t, position);

    expect((await getHistory(t, f, f.primary)).map((e) => e.type)).toEqual(['OrganizationCreated']);
    expect(memberIds(await getOrganization(t, f, f.primary))).toEqual([f.primary, f.ids.b].sort());
    expect(await organizationOf(f.ids.b)).toBe(f.organizationId);
  });

  it('P2 evicts a member whose hosting location moves away (reason hosting-moved)', async () => {
    const f = await givenOrganization(t, { prefix: 'p2' });
    const { fact, entry } = await evictionOf(f, 'b', () => reportHostingMove(t, f.ids.b, 'eu1'), 'HostingLocationChanged');

    expectCausedBy(entry, fact, 'hosting-moved');
    expect(memberIds(await getOrganization(t, f, f.primary))).toEqual([f.primary]);
    expect(await organizationOf(f.ids.b)).toBeNull();
  });

  it('P3 evicts a deactivated member (reason deactivated)', async () => {
    const f = await givenOrganization(t, { prefix: 'p3' });
    const { fact, entry } = await evictionOf(f, 'b', () => reportDeactivation(t, f.ids.b), 'AccountDeactivated');

    expectCausedBy(entry, fact, 'deactivated');
    expect(memberIds(await getOrganization(t, f, f.primary))).toEqual([f.primary]);
  });

  it('P4/C4 revokes only the flows in which the account is a mirroring or workflow source (reason sensitive-data)', async () => {
    const f = await givenOrganization(t, {
      prefix: 'p4',
      members: [{ key: 'b' }, { key: 'c' }],
      connections: (ids) => [
        twoWay(ids.primary, ids.b, { dataMirroring: true, assetCopying: true }),
        oneWay(ids.b, ids.c, { workflows: true }),
        oneWay(ids.primary, ids.c),
      ],
    });
    await putContact(t, f.primary, 'contact-p', 'p4@example.com');
    const { position } = await putContact(t, f.ids.b, 'contact-b', 'p4@example.com');
    expect(await mirroredSources(t, f.primary, f.user, position)).toEqual([f.ids.b]);

    await reportSensitiveData(t, f.ids.b);
    const fact = await factEvent(t, f.ids.b, 'SensitiveDataEnabled');
    const history = await historyWith(t, f, f.primary, 'FlowsRevoked');
    const entry = history.find((e) => e.type === 'FlowsRevoked');

    expectCausedBy(entry, fact, 'sensitive-data');
    const revokedFromB = [
      { feature: 'dataMirroring', from: f.ids.b, to: f.primary, reason: 'sensitive-data' },
      { feature: 'workflows', from: f.ids.b, to: f.ids.c, reason: 'sensitive-data' },
    ];
    expect(entry!.details).toEqual({ accountId: f.ids.b, revoked: revokedFromB });

    const org = await getOrganization(t, f, f.primary);
    expect(memberIds(org)).toEqual([f.primary, f.ids.b, f.ids.c].sort());
    const [pb, bc, pc] = org.connections;
    // Its other flows stay: mirroring into it, asset copying both ways, and connections it is not in.
    expect(pb.flows).toEqual({
      dataMirroring: [{ from: f.primary, to: f.ids.b }],
      assetCopying: [
        { from: f.primary, to: f.ids.b },
        { from: f.ids.b, to: f.primary },
      ],
      workflows: [],
      reporting: [],
    });
    expect(pb.revoked).toEqual([revokedFromB[0]]);
    expect(bc.flows.workflows).toEqual([]);
    expect(bc.revoked).toEqual([revokedFromB[1]]);
    expect(pc.flows.dataMirroring).toEqual([{ from: f.primary, to: f.ids.c }]);
    expect(pc.revoked).toEqual([]);
    // M4: the revoked flow's views go; mirroring into B stays.
    await eventually(() => mirroredSources(t, f.primary, f.user), (sources) => sources.length === 0);
    expect(await mirroredSources(t, f.ids.b, f.user)).toEqual([f.primary]);
  });

  it('P5/C5 revokes mirroring into a target that loses Sales/Service Pro but stays a member (reason mirroring-target-ineligible)', async () => {
    const f = await givenOrganization(t, {
      prefix: 'p5',
      members: [{ key: 'b', subscriptions: [SALES_PRO, MARKETING_PRO] }],
      connections: (ids) => [twoWay(ids.primary, ids.b, { dataMirroring: true, assetCopying: true })],
    });
    await reportSubscriptions(t, f.ids.b, [MARKETING_PRO]);
    const fact = await factEvent(t, f.ids.b, 'SubscriptionsChanged');
    const entry = (await historyWith(t, f, f.primary, 'FlowsRevoked')).find((e) => e.type === 'FlowsRevoked');

    expectCausedBy(entry, fact, 'mirroring-target-ineligible');
    const org = await getOrganization(t, f, f.primary);
    expect(memberIds(org)).toEqual([f.primary, f.ids.b].sort());
    expect(org.connections[0].flows.dataMirroring).toEqual([{ from: f.ids.b, to: f.primary }]);
    expect(org.connections[0].flows.assetCopying).toHaveLength(2);
    expect(org.connections[0].revoked).toEqual([
      { feature: 'dataMirroring', from: f.primary, to: f.ids.b, reason: 'mirroring-target-ineligible' },
    ]);
  });

  it('P6 deletes the organization when its last MHE member drops to Marketing Professional (reason no-marketing-enterprise)', async () => {
    const f = await givenOrganization(t, { prefix: 'p6-down', members: [{ key: 'b' }, { key: 'c' }] });
    await reportSubscriptions(t, f.primary, [MARKETING_PRO, SALES_PRO]);
    const fact = await factEvent(t, f.primary, 'SubscriptionsChanged');
    const history = await historyWith(t, f, f.primary, 'OrganizationDeleted');

    expect(history.map((e) => e.type)).toEqual(['OrganizationCreated', 'OrganizationDeleted']);
    expectCausedBy(history.at(-1), fact, 'no-marketing-enterprise');
    const org = await getOrganization(t, f, f.primary);
    expect(org.status).toBe('deleted');
    // Still Professional: nobody was evicted, the organization went as a whole.
    expect(memberIds(org)).toEqual([f.primary, f.ids.b, f.ids.c].sort());
  });

  it('P6 deletes the organization when its only MHE member is evicted (P3 then P6, both caused by the fact)', async () => {
    const f = await givenOrganization(t, { prefix: 'p6-evict', members: [{ key: 'b' }, { key: 'c' }] });
    await reportDeactivation(t, f.primary);
    const fact = await factEvent(t, f.primary, 'AccountDeactivated');
    // The primary is gone: the history is read from a remaining member.
    const history = await historyWith(t, f, f.ids.b, 'OrganizationDeleted');

    expect(history.map((e) => e.type)).toEqual(['OrganizationCreated', 'MemberEvicted', 'OrganizationDeleted']);
    expectCausedBy(history[1], fact, 'deactivated');
    expectCausedBy(history[2], fact, 'no-marketing-enterprise');
    expect(history[2].details).toEqual({ releasedAccountIds: [f.ids.b, f.ids.c] });
    expect((await getOrganization(t, f, f.ids.b)).status).toBe('deleted');
    for (const id of [f.primary, f.ids.b, f.ids.c]) expect(await organizationOf(id)).toBeNull();
  });

  it('P7 an evicted account loses every connection and every mirrored view, shows no organization, and may join another', async () => {
    const f = await givenOrganization(t, {
      prefix: 'p7',
      members: [{ key: 'b' }, { key: 'c' }],
      connections: (ids) => [
        twoWay(ids.primary, ids.b),
        oneWay(ids.c, ids.b, { workflows: true, assetCopying: true }),
        twoWay(ids.primary, ids.c, { assetCopying: true }),
      ],
    });
    // One person known to the primary and to B: mirrored both ways.
    await putContact(t, f.primary, 'contact-p', 'same@example.com');
    const { position } = await putContact(t, f.ids.b, 'contact-b', ' Same@Example.com ');
    expect(await mirroredSources(t, f.primary, f.user, position)).toEqual([f.ids.b]);
    expect(await mirroredSources(t, f.ids.b, f.user, position)).toEqual([f.primary]);

    // Moved away (P2), B keeps Sales Pro, so M3 would still let its users see views: there are none.
    const { fact, entry } = await evictionOf(f, 'b', () => reportHostingMove(t, f.ids.b, 'eu1'), 'HostingLocationChanged');
    expectCausedBy(entry, fact, 'hosting-moved');
    await eventually(() => mirroredSources(t, f.primary, f.user), (sources) => sources.length === 0);
    await eventually(() => mirroredSources(t, f.ids.b, f.user), (sources) => sources.length === 0);

    const org = await getOrganization(t, f, f.primary);
    expect(memberIds(org)).toEqual([f.primary, f.ids.c].sort());
    expect(org.connections.map((c: { accounts: string[] }) => c.accounts)).toEqual([[f.primary, f.ids.c]]);
    expect((await getAccount(t, f.ids.b)).organizationId).toBeNull();
    expect((await t.request('GET', `/v1/accounts/${f.ids.b}/organization`, { headers: await orgHeaders(f.user) })).status).toBe(404);

    // It joins a new organization in its new location (O3, O4 hold again).
    const next = uniqueId('p7-next');
    await givenAccount(t, f.user, next, { subscriptions: [MHE, SALES_PRO], hostingLocation: 'eu1' });
    const created = await ok(
      t.request('POST', '/v1/organizations', {
        headers: await orgHeaders(f.user, undefined, true),
        body: {
          organizationId: next,
          name: 'Next',
          primaryAccountId: next,
          additionalAccountIds: [f.ids.b],
          connections: [twoWay(next, f.ids.b)],
          acknowledgeImpact: true,
          acknowledgeBeta: true,
        },
      }),
      201,
    );
    expect((await t.read(`/v1/accounts/${f.ids.b}`, created.position)).body.organizationId).toBe(next);
    // Its contacts are mirrored along its new organization's connection only.
    const { position: p2 } = await putContact(t, next, 'contact-n', 'same@example.com');
    expect(await mirroredSources(t, f.ids.b, f.user, p2)).toEqual([next]);
  });

  it('P8 a deleted organization releases all its accounts and its mirrored views go; the accounts may form another', async () => {
    const f = await givenOrganization(t, {
      prefix: 'p8',
      members: [{ key: 'b' }, { key: 'c', subscriptions: [SALES_PRO, MHE] }],
      connections: (ids) => [twoWay(ids.primary, ids.b)],
    });
    await putContact(t, f.primary, 'contact-p', 'p8@example.com');
    const { position } = await putContact(t, f.ids.b, 'contact-b', 'p8@example.com');
    expect(await mirroredSources(t, f.primary, f.user, position)).toEqual([f.ids.b]);

    // P6 needs every MHE gone: first c, then the primary.
    await reportSubscriptions(t, f.ids.c, [SALES_PRO]);
    const { position: cPosition } = await reportSubscriptions(t, f.primary, [MARKETING_PRO, SALES_PRO]);
    const fact = await factEvent(t, f.primary, 'SubscriptionsChanged');
    const history = await historyWith(t, f, f.primary, 'OrganizationDeleted');
    expectCausedBy(history.at(-1), fact, 'no-marketing-enterprise');
    expect(BigInt(history.at(-1)!.position)).toBeGreaterThan(BigInt(cPosition));

    for (const id of Object.values(f.ids)) {
      expect(await organizationOf(id)).toBeNull();
      expect((await t.request('GET', `/v1/accounts/${id}/organization`, { headers: await orgHeaders(f.user) })).status).toBe(404);
      const left = (await t.events.readStream(`account-${id}`)).filter((e) => e.type === 'AccountLeftOrganization');
      expect(left.map((e) => e.data)).toEqual([{ accountId: id, organizationId: f.organizationId, reason: 'organization-deleted' }]);
    }
    // Its mirrored views are gone (the primary keeps Sales Pro: M3 would show them).
    await eventually(() => mirroredSources(t, f.primary, f.user), (sources) => sources.length === 0);
    await eventually(() => mirroredSources(t, f.ids.b, f.user), (sources) => sources.length === 0);
    // The deleted organization stays readable to its former members' admins, ending with its deletion.
    const org = await getOrganization(t, f, f.ids.b);
    expect(org.status).toBe('deleted');
    const orgStream = await orgEvents(t, f.organizationId);
    expect(orgStream.map((e) => e.type)).toEqual(['OrganizationCreated', 'OrganizationDeleted']);

    // Released: c (upgraded again) can found a new organization with b.
    await reportSubscriptions(t, f.ids.c, [SALES_PRO, MHE]);
    const next = `${f.organizationId}-next`;
    await ok(
      t.request('POST', '/v1/organizations', {
        headers: await orgHeaders(f.user, undefined, true),
        body: { organizationId: next, name: 'Next', primaryAccountId: f.ids.c, additionalAccountIds: [f.ids.b], acknowledgeImpact: true, acknowledgeBeta: true },
      }),
      201,
    );
    await eventually(() => organizationOf(f.ids.b), (id) => id === next);
  });
});
