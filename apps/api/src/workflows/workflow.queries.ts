import { Inject, Injectable } from '@nestjs/common';
import { READ_STORE, type ReadStore } from '@mam/read-store';
import { OrganizationQueries } from '../organizations/organization.queries';
import { WORKFLOWS, type WorkflowDoc } from './workflow.projection';

@Injectable()
export class WorkflowQueries {
  constructor(
    @Inject(READ_STORE) private readonly store: ReadStore,
    private readonly organizations: OrganizationQueries,
  ) {}

  /** O10 as for the organization itself (404 unseen, 403 from a non-member account), then every workflow. */
  async list(organizationId: string, actorUserId: string, actingAccountId: string) {
    await this.organizations.organization(organizationId, actorUserId, actingAccountId);
    const rows = await this.store.find<WorkflowDoc>(WORKFLOWS, { organizationId });
    return { items: rows.map(({ doc: { organizationId: _o, ...item } }) => item) };
  }
}
