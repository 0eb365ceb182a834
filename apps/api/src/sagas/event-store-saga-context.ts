import {
  accountStream,
  evolveAccount,
  evolveOrganization,
  organizationStream,
  type AccountEvent,
  type OrganizationEvent,
  type Account,
  type Organization,
} from '@mam/domain';
import type { EventStore } from '@mam/event-store';
import type { SagaContext } from './saga';

/** State straight from the streams: never behind a read model. */
export function eventStoreSagaContext(store: EventStore): SagaContext {
  return {
    async account(accountId, asOf): Promise<Account | null> {
      const events = await store.readStream(accountStream(accountId));
      return events
        .filter((e) => asOf === undefined || e.position <= asOf)
        .reduce<Account | null>((s, e) => evolveAccount(s, { type: e.type, data: e.data } as AccountEvent), null);
    },
    async organization(organizationId): Promise<Organization | null> {
      const events = await store.readStream(organizationStream(organizationId));
      return events.reduce<Organization | null>(
        (s, e) => evolveOrganization(s, { type: e.type, data: e.data } as OrganizationEvent),
        null,
      );
    },
  };
}
