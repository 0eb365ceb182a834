import type { Projection } from './projection';
import { accountsProjection, accountUsersProjection } from '../accounts/account.projections';
import { organizationHistoryProjection, organizationsProjection } from '../organizations/organization.projections';
import { mirroringProjection } from '../mirroring/mirroring.projection';
import { reportsProjection } from '../reports/report.projection';
import { assetCopiesProjection, assetsProjection } from '../assets/asset.projections';
import { workflowsProjection } from '../workflows/workflow.projection';

/** Every read-model projection of the service; the ops CLI rebuilds from the same list. */
export const ALL_PROJECTIONS: Projection[] = [
  accountsProjection,
  accountUsersProjection,
  organizationsProjection,
  organizationHistoryProjection,
  mirroringProjection,
  reportsProjection,
  assetsProjection,
  assetCopiesProjection,
  workflowsProjection,
];
