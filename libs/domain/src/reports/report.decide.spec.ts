import {
  administered,
  connectionsConfigured,
  created,
  DeciderSpecification,
  defineReport,
  definition,
  deleteReport,
  flowsRevoked,
  MHE,
  oneWay,
  organizationDeleted,
  PRIMARY,
  redefineReport,
  reportDefined,
  reportDeleted,
  reportRedefined,
  SALES_PRO,
  twoFactor,
  twoWay,
  userRemoved,
  withMembership,
} from '@mam/testing';
import type { Connection } from '../connections/connection';
import type { WorldEvent } from '../organizations/organization.world';
import { reportDecider, type ReportWorldEvent } from './report.decide';

const spec = DeciderSpecification.for(reportDecider);
const P = PRIMARY;

/** P (MHE), a, b, c administered by USER with two-factor; an organization of P, a, b with a reporting flow a → P. */
const accounts: WorldEvent[] = [...administered(P, { subscriptions: [MHE, SALES_PRO] }), ...['a', 'b', 'c'].flatMap((id) => administered(id)), twoFactor()];
const organization = (connections: Connection[] = [oneWay('a', P, { reporting: true })]): ReportWorldEvent[] => [
  ...accounts,
  ...withMembership(created([P, 'a', 'b'], { connections })),
];
const fromA = definition({ sourceAccountIds: ['a'] });
const byColor = definition({ sourceAccountIds: ['a'], groupBy: ['account', 'property:color'] });
const shared = { [P]: ['color'], a: ['color'] };

describe('report decider (R1, R2, R5)', () => {
  describe('DefineReport', () => {
    it('R1 defines a report over the destination and a source with a reporting flow into it', () =>
      spec.given(organization()).when(defineReport(fromA)).then([reportDefined(fromA)]));

    it('R1 a report over the destination alone needs no flow', () =>
      spec.given(organization([])).when(defineReport(definition())).then([reportDefined(definition())]));

    it('R1 a two-way reporting connection is a flow into either side', () =>
      spec.given(organization([twoWay('a', P, { reporting: true })])).when(defineReport(fromA)).then([reportDefined(fromA)]));

    it('R1 NO_FLOW for a source without a reporting flow into the destination', () =>
      spec.given(organization([oneWay('a', P, { dataMirroring: true, workflows: true })])).when(defineReport(fromA)).thenFails('NO_FLOW'));

    it('R1 NO_FLOW for a flow the other way only', () =>
      spec.given(organization([oneWay(P, 'a', { reporting: true })])).when(defineReport(fromA)).thenFails('NO_FLOW'));

    it('R1 NO_FLOW for a reporting flow revoked by C4', () =>
      spec
        .given([...organization(), flowsRevoked('a', 'sensitive-data', [{ feature: 'reporting', from: 'a', to: P, reason: 'sensitive-data' }])])
        .when(defineReport(fromA))
        .thenFails('NO_FLOW'));

    it('NOT_A_MEMBER for a destination or source outside the organization', () => {
      spec.given(organization()).when(defineReport(definition({ destinationAccountId: 'c' }))).thenFails('NOT_A_MEMBER');
      spec.given(organization()).when(defineReport(definition({ sourceAccountIds: ['c'] }))).thenFails('NOT_A_MEMBER');
    });

    it('R2 needs a Super Admin in every member, also one the report does not name (403 NOT_SUPER_ADMIN)', () =>
      spec.given([...organization(), userRemoved('b')]).when(defineReport(fromA)).thenFails('NOT_SUPER_ADMIN'));

    it('R2 needs two-factor set up (422) and a fresh step-up (403)', () => {
      spec.given([...organization(), twoFactor(undefined, false)]).when(defineReport(fromA)).thenFails('TWO_FACTOR_REQUIRED');
      spec.given(organization()).when(defineReport(fromA, {}, { stepUp: null })).thenFails('STEP_UP_REQUIRED');
    });

    it('R2 the event records the actor and the verification', () =>
      spec
        .given(organization())
        .when(defineReport(fromA, {}, { stepUp: { verification: 'passkey' } }))
        .then([{ ...reportDefined(fromA), data: { ...reportDefined(fromA).data, verification: 'passkey' } } as ReportWorldEvent]));

    it('R5 a property dimension carried by contacts of two of the report accounts is fine', () =>
      spec.given(organization()).when(defineReport(byColor, shared)).then([reportDefined(byColor)]));

    it('R5 PROPERTY_NOT_SHARED when only one of the accounts has contacts carrying it', () =>
      spec.given(organization()).when(defineReport(byColor, { [P]: ['color'], a: [] })).thenFails('PROPERTY_NOT_SHARED'));

    it('R5 PROPERTY_NOT_SHARED applies to filters too', () =>
      spec
        .given(organization())
        .when(defineReport(definition({ sourceAccountIds: ['a'], filters: [{ field: 'property:tier', equals: 'gold' }] }), shared))
        .thenFails('PROPERTY_NOT_SHARED'));

    it('R5 a report over the destination alone cannot group by a property (fewer than two accounts)', () =>
      spec.given(organization()).when(defineReport(definition({ groupBy: ['property:color'] }), shared)).thenFails('PROPERTY_NOT_SHARED'));

    it.each([
      ['four dimensions', definition({ groupBy: ['account', 'property:a', 'property:b', 'property:c'] })],
      ['stage for contacts', definition({ groupBy: ['stage'] })],
      ['an unknown dimension', definition({ groupBy: ['owner'] })],
      ['an empty property name', definition({ groupBy: ['property:'] })],
      ['a dimension twice', definition({ groupBy: ['account', 'account'] })],
      ['sum:amount for contacts', definition({ measures: ['count', 'sum:amount'] })],
      ['no measure', definition({ measures: [] })],
      ['a filter on account', definition({ filters: [{ field: 'account', equals: P }] })],
      ['the destination among its sources', definition({ sourceAccountIds: [P] })],
      ['a source twice', definition({ sourceAccountIds: ['a', 'a'] })],
    ])('VALIDATION_FAILED for %s', (_what, def) => spec.given(organization()).when(defineReport(def)).thenFails('VALIDATION_FAILED'));

    it('deals take stage, sum and avg of the amount', () => {
      const deals = definition({ object: 'deals', groupBy: ['account', 'stage'], measures: ['count', 'sum:amount', 'avg:amount'], filters: [{ field: 'stage', equals: 'closedwon' }] });
      spec.given(organization()).when(defineReport(deals)).then([reportDefined(deals)]);
    });

    it('ALREADY_EXISTS for a report id in use, also by a deleted report', () => {
      spec.given([...organization(), reportDefined(fromA)]).when(defineReport(fromA)).thenFails('ALREADY_EXISTS');
      spec.given([...organization(), reportDefined(fromA), reportDeleted()]).when(defineReport(fromA)).thenFails('ALREADY_EXISTS');
    });

    it('NOT_FOUND without the organization; ORGANIZATION_DELETED after its deletion', () => {
      spec.given(accounts).when(defineReport(fromA)).thenFails('NOT_FOUND');
      spec.given([...organization(), ...withMembership(organizationDeleted([P, 'a', 'b']))]).when(defineReport(fromA)).thenFails('ORGANIZATION_DELETED');
    });
  });

  describe('RedefineReport', () => {
    const given = [...organization(), reportDefined(fromA)];

    it('R2 edits the whole definition', () => spec.given(given).when(redefineReport(byColor, shared)).then([reportRedefined(byColor)]));

    it('R1 and R5 hold for the edit as for the definition', () => {
      spec.given([...given, ...withMembership(connectionsConfigured([]))]).when(redefineReport(fromA)).thenFails('NO_FLOW');
      spec.given(given).when(redefineReport(byColor, { a: ['color'] })).thenFails('PROPERTY_NOT_SHARED');
    });

    it('NOT_FOUND for an unknown or deleted report', () => {
      spec.given(organization()).when(redefineReport(fromA)).thenFails('NOT_FOUND');
      spec.given([...given, reportDeleted()]).when(redefineReport(fromA)).thenFails('NOT_FOUND');
    });

    it('NOT_FOUND for a report of another organization', () => {
      const elsewhere = reportDefined(fromA);
      const other = { ...elsewhere, data: { ...elsewhere.data, organizationId: 'org-2' } } as ReportWorldEvent;
      spec.given([...organization(), other]).when(redefineReport(fromA)).thenFails('NOT_FOUND');
    });
  });

  describe('DeleteReport', () => {
    const given = [...organization(), reportDefined(fromA)];

    it('R2 deletes the report', () => spec.given(given).when(deleteReport()).then([reportDeleted()]));

    it('R2 needs a Super Admin in every member and a step-up', () => {
      spec.given([...given, userRemoved('a')]).when(deleteReport()).thenFails('NOT_SUPER_ADMIN');
      spec.given(given).when(deleteReport({ stepUp: null })).thenFails('STEP_UP_REQUIRED');
    });

    it('NOT_FOUND when already deleted', () => spec.given([...given, reportDeleted()]).when(deleteReport()).thenFails('NOT_FOUND'));
  });
});
