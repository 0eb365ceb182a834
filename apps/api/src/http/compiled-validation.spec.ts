import 'reflect-metadata';
import fc from 'fast-check';
import { ContactBatchDto, ContactDto, ActivityDto, DealDto } from '../crm/crm.dto';
import { AccountUserDto, RegisterAccountDto, SubscriptionsDto } from '../accounts/account.dto';
import { ConnectionsDto, CreateOrganizationDto, MembersDto } from '../organizations/organization.dto';
import { AssetCopyDto, AssetDto } from '../assets/asset.dto';
import { DefineWorkflowDto } from '../workflows/workflow.dto';
import { CreateReportDto, ReportDefinitionDto } from '../reports/report.dto';
import { compiledCheck } from './compiled-validation';
import { createValidationPipe } from './validation.pipe';

const pipe = createValidationPipe();
/** The full class-validator verdict: does the pipe accept the body? */
async function fullPipeAccepts(metatype: Function, body: unknown): Promise<boolean> {
  try {
    await pipe.transform(structuredClone(body), { type: 'body', metatype: metatype as never, data: undefined });
    return true;
  } catch {
    return false;
  }
}

const contact = { email: ' Ann@Example.com', firstName: 'Ann', lastName: 'Lee', properties: { city: 'Dublin' } };
const samples: Array<[Function, Record<string, unknown>]> = [
  [ContactDto, contact],
  [ContactDto, { email: 'a@b.co' }],
  [ContactBatchDto, { upserts: [{ contactId: 'c1', ...contact }, { contactId: 'c2', email: 'b@example.com' }], deletes: ['c3'] }],
  [ActivityDto, { activityId: 'a1', type: 'call', occurredAt: '2026-11-01T10:00:00Z', summary: 'hello' }],
  [DealDto, { name: 'Deal', stage: 'qualified', amount: 10, contactIds: ['c1'] }],
  [RegisterAccountDto, { accountId: 'acc', name: 'Acc', hostingLocation: 'na1', subscriptions: [{ hub: 'sales', tier: 'professional' }] }],
  [SubscriptionsDto, { subscriptions: [{ hub: 'marketing', tier: 'enterprise' }] }],
  [AccountUserDto, { roles: ['super-admin'], seats: ['sales'] }],
  [MembersDto, { accountIds: ['a', 'b'] }],
  [AssetDto, { type: 'marketing-email', name: 'E', automated: true, draft: false, content: { subject: 'x' }, references: ['l1'] }],
  [AssetCopyDto, { copyId: 'c1', sourceAccountId: 'a', targetAccountId: 'b', assetIds: ['e1'] }],
  [DefineWorkflowDto, { workflowId: 'w1', name: 'W', sourceAccountId: 'a', targetAccountId: 'b', trigger: { type: 'deal-closed-won' }, action: { type: 'create-or-update-contact', properties: { tier: 'gold' }, markCrossSellOpportunity: true } }],
  [CreateReportDto, { reportId: 'r1', name: 'R', destinationAccountId: 'a', sourceAccountIds: ['b'], object: 'deals', groupBy: ['account', 'stage'], measures: ['count', 'sum:amount'], filters: [{ field: 'stage', equals: 'closedwon' }] }],
  [ReportDefinitionDto, { name: 'R', destinationAccountId: 'a', sourceAccountIds: ['b'], object: 'contacts', groupBy: ['property:city'], measures: ['count'] }],
];

/** A value where a field's value may be anything JSON can say, or a near miss of a valid one. */
const jsonish = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom('', ' ', 'x'.repeat(201), 'x'.repeat(321), 'not-an-email', 'a@b', 'bad id!', '2026-13-01T00:00:00Z', null, [], {}, [null], [{}], ['c1', 'c1'], 1e400, -0),
);

/** Mutations of a valid body: a field replaced, removed or added, at the top or inside a nested item. */
function mutated(body: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(body);
  return fc.oneof(
    fc.record({ key: fc.constantFrom(...keys), value: jsonish }).map(({ key, value }) => ({ ...body, [key]: value })),
    fc.constantFrom(...keys).map((key) => Object.fromEntries(Object.entries(body).filter(([k]) => k !== key))),
    fc.record({ key: fc.string({ maxLength: 12 }), value: jsonish }).map(({ key, value }) => JSON.parse(JSON.stringify({ ...body, [key]: value }))),
    fc.record({ key: fc.constantFrom(...keys), inner: fc.string({ maxLength: 12 }), value: jsonish }).map(({ key, inner, value }) => {
      const field = body[key];
      if (Array.isArray(field) && typeof field[0] === 'object') return { ...body, [key]: [{ ...(field[0] as object), [inner]: value }, ...field.slice(1)] };
      if (field && typeof field === 'object' && !Array.isArray(field)) return { ...body, [key]: { ...(field as object), [inner]: value } };
      return { ...body, [key]: value };
    }),
  );
}

describe('compiled body validation', () => {
  it.each(samples.map(([cls, body]) => [cls.name, cls, body] as const))('compiles %s and vouches for a valid body the full pipe accepts', async (_name, cls, body) => {
    const check = compiledCheck(cls);
    expect(check).not.toBeNull();
    expect(check!(structuredClone(body))).toBe(true);
    expect(await fullPipeAccepts(cls, body)).toBe(true);
  });

  it.each(samples.map(([cls, body]) => [cls.name, cls, body] as const))('never vouches for a %s body the full pipe refuses (property)', async (_name, cls, body) => {
    const check = compiledCheck(cls)!;
    await fc.assert(
      fc.asyncProperty(mutated(body), async (candidate) => {
        if (check(structuredClone(candidate))) expect(await fullPipeAccepts(cls, candidate)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('gives a contact\'s properties as the full pipe does: a null-prototype map that keeps every name', () => {
    const body = JSON.parse('{"email":"a@b.co","properties":{"constructor":"c","__proto__":"p","city":"Dublin"}}');
    expect(compiledCheck(ContactDto)!(body)).toBe(true);
    expect(Object.getPrototypeOf(body.properties)).toBeNull();
    expect(Object.entries(body.properties)).toEqual([['constructor', 'c'], ['__proto__', 'p'], ['city', 'Dublin']]);
  });

  it('the organization DTOs compile or are left to the full pipe, never half', () => {
    for (const cls of [CreateOrganizationDto, ConnectionsDto]) {
      const check = compiledCheck(cls);
      expect(check === null || typeof check === 'function').toBe(true);
    }
  });
});
