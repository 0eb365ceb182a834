import { randomUUID } from 'node:crypto';
import { accountStream, organizationStream, type AccountEvent, type OrganizationEvent } from '@mam/domain';
import { InMemoryEventStore, type RecordedEvent } from '@mam/event-store';
import { eventStoreSagaContext } from './event-store-saga-context';
import { lifecycleSaga } from './lifecycle.saga';

/**
 * The saga reads accounts as they stood at the event it reacts to. When it
 * runs behind, an organization change read after a later fact must leave
 * that fact to its own reaction, so the eviction's cause is the fact.
 */
describe('lifecycle saga on the event store, running behind', () => {
  const at = '2026-01-01T00:00:00.000Z';
  const MHE = { hub: 'marketing', tier: 'enterprise' } as const;
  let store: InMemoryEventStore;

  async function append(streamId: string, event: AccountEvent | OrganizationEvent): Promise<RecordedEvent> {
    await store.append(streamId, [{ id: randomUUID(), ...event, metadata: { at } }], 'any');
    const events = await store.readStream(streamId);
    return events[events.length - 1];
  }

  const register = (accountId: string) =>
    append(accountStream(accountId), {
      type: 'AccountRegistered',
      data: { accountId, name: accountId, hostingLocation: 'na1', sandbox: false, subscriptions: [MHE], sensitiveData: false },
    });

  beforeEach(() => (store = new InMemoryEventStore()));
  afterEach(() => store.close());

  it('given an organization created, then a member deactivated, when the saga reads the creation only now, then it leaves the eviction to the deactivation, which causes it', async () => {
    await register('p');
    await register('b');
    const created = await append(organizationStream('o1'), {
      type: 'OrganizationCreated',
      data: { organizationId: 'o1', name: 'O', primaryAccountId: 'p', hostingLocation: 'na1', memberIds: ['p', 'b'], connections: [], at, actorUserId: 'u', actingAccountId: 'p', verification: 'otp' },
    });
    for (const id of ['p', 'b']) await append(accountStream(id), { type: 'AccountJoinedOrganization', data: { accountId: id, organizationId: 'o1' } });
    const deactivated = await append(accountStream('b'), { type: 'AccountDeactivated', data: { accountId: 'b' } });
    const context = eventStoreSagaContext(store);

    expect(await context.account('b', created.position)).toMatchObject({ status: 'active' });
    expect(await context.account('b')).toMatchObject({ status: 'deactivated' });
    expect(await lifecycleSaga.react(created, context)).toEqual([]);
    expect(await lifecycleSaga.react(deactivated, context)).toEqual([{ type: 'EvictMember', data: { organizationId: 'o1', accountId: 'b', reason: 'deactivated' } }]);
  });
});
