import { InMemoryReadStore } from '@mam/read-store';
import { ACCOUNTS } from '../accounts/account.projections';
import { MirroringQueries } from './mirroring.queries';
import { ACTIVITIES, CONTACTS, DEAL_LINKS, DEALS, key, LINKS } from './mirroring.collections';

describe('mirroring queries', () => {
  it('M2 a source contact document written before activities had their own documents shows its old activities beside the new ones, by time', async () => {
    const store = new InMemoryReadStore();
    const legacy = { activityId: 'old', type: 'call', occurredAt: '2026-01-01T00:00:00Z', summary: 'before the upgrade' };
    const logged = { activityId: 'new', type: 'note', occurredAt: '2026-02-01T00:00:00Z', summary: 'after it' };
    const puts = [
      { collection: ACCOUNTS, id: 't', doc: { accountId: 't', subscriptions: [{ hub: 'sales', tier: 'professional' }], users: { viewer: { roles: [], seats: ['sales'] } } } },
      { collection: CONTACTS, id: 't|t1', doc: { accountId: 't', contactId: 't1', email: 'ann@example.com', emailKey: 'ann@example.com', properties: {} } },
      { collection: CONTACTS, id: 's|s1', doc: { accountId: 's', contactId: 's1', email: 'ann@example.com', emailKey: 'ann@example.com', properties: {}, activities: [legacy] } },
      { collection: ACTIVITIES, id: key('s', 's1', 'new'), doc: { accountId: 's', contactId: 's1', ...logged } },
      { collection: LINKS, id: 't|t1', doc: { targetAccountId: 't', targetContactId: 't1', emailKey: 'ann@example.com', sources: [{ accountId: 's', contactId: 's1' }] } },
    ];
    await store.commit({ puts, deletes: [], checkpoints: [] });

    const view = await new MirroringQueries(store).one('t', 't1', 'viewer');

    expect(view.sources[0].activities).toEqual([legacy, logged]);
  });

  it('M2 a deal link written before links carried the deal\'s fields shows the deal from its document, beside a new link', async () => {
    const store = new InMemoryReadStore();
    const puts = [
      { collection: ACCOUNTS, id: 't', doc: { accountId: 't', subscriptions: [{ hub: 'sales', tier: 'professional' }], users: { viewer: { roles: [], seats: ['sales'] } } } },
      { collection: CONTACTS, id: 't|t1', doc: { accountId: 't', contactId: 't1', email: 'ann@example.com', emailKey: 'ann@example.com', properties: {} } },
      { collection: CONTACTS, id: 's|s1', doc: { accountId: 's', contactId: 's1', email: 'ann@example.com', emailKey: 'ann@example.com', properties: {} } },
      { collection: DEALS, id: 's|d1', doc: { accountId: 's', dealId: 'd1', name: 'Old', stage: 'closedwon', amount: 3, contactIds: ['s1'] } },
      { collection: DEAL_LINKS, id: key('s', 's1', 'd1'), doc: { accountId: 's', contactId: 's1', dealId: 'd1' } },
      { collection: DEAL_LINKS, id: key('s', 's1', 'd2'), doc: { accountId: 's', contactId: 's1', dealId: 'd2', name: 'New', stage: 'qualified' } },
      { collection: LINKS, id: 't|t1', doc: { targetAccountId: 't', targetContactId: 't1', emailKey: 'ann@example.com', sources: [{ accountId: 's', contactId: 's1' }] } },
    ];
    await store.commit({ puts, deletes: [], checkpoints: [] });

    const view = await new MirroringQueries(store).one('t', 't1', 'viewer');

    expect(view.sources[0].deals).toEqual([
      { dealId: 'd1', name: 'Old', stage: 'closedwon', amount: 3 },
      { dealId: 'd2', name: 'New', stage: 'qualified' },
    ]);
  });
});
