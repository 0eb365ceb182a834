import {
  administered,
  connectionsConfigured,
  created,
  deactivated,
  DeciderSpecification,
  memberEvicted,
  oneWay,
  organizationDeleted,
  ORG,
  twoWay,
  USER,
  userRemoved,
  withMembership,
} from '@mam/testing';
import type { AssetEvent, AssetFields } from './asset.events';
import type { AssetCopyEvent, AssetCopyRequest } from './asset-copy.events';
import { assetCopyDecider, type AssetCopyCommand } from './asset-copy.decide';
import type { CopyWorldEvent } from './asset-copy.world';

/** Target ids in these specs: readable, and derived only from the copy and the source asset. */
const copied = (copyId: string, sourceAssetId: string) => `${copyId}.${sourceAssetId}`;
const spec = DeciderSpecification.for(assetCopyDecider(copied));

const S = 'source';
const T = 'target';
const COPY = 'copy-1';
const copying = { assetCopying: true };

const fields = (type: AssetFields['type'], overrides: Partial<AssetFields> = {}): AssetFields => ({
  type,
  name: `a ${type}`,
  automated: type === 'marketing-email',
  draft: false,
  content: { body: `${type} body` },
  references: [],
  ...overrides,
});
const saved = (assetId: string, f: AssetFields, accountId = S): AssetEvent => ({ type: 'AssetSaved', data: { accountId, assetId, ...f } });
const email = (assetId: string, references: string[], overrides: Partial<AssetFields> = {}) => saved(assetId, fields('marketing-email', { references, ...overrides }));
const list = (assetId: string, references: string[] = []) => saved(assetId, fields('list', { references }));
const form = (assetId: string) => saved(assetId, fields('form'));

/** S and T (Super Admin USER in both) in one organization, with an asset-copying flow S → T unless told otherwise. */
const organization = (connections = [oneWay(S, T, copying)]): CopyWorldEvent[] => [
  ...administered('primary'),
  ...administered(S),
  ...administered(T),
  ...withMembership(created(['primary', S, T], { connections })),
];

const request = (overrides: Partial<AssetCopyRequest> = {}): AssetCopyRequest => ({
  copyId: COPY,
  organizationId: ORG,
  sourceAccountId: S,
  targetAccountId: T,
  assetIds: ['e1'],
  actorUserId: USER,
  ...overrides,
});
const requestCopy = (overrides: Partial<AssetCopyRequest> = {}): AssetCopyCommand => ({ type: 'RequestAssetCopy', data: request(overrides) });
const requested = (overrides: Partial<AssetCopyRequest> = {}): AssetCopyEvent => ({ type: 'AssetCopyRequested', data: request(overrides) });
const carryOut: AssetCopyCommand = { type: 'CarryOutAssetCopy', data: { copyId: COPY, asOf: '1' } };

/** The copy of a source asset, as the decider writes it into T. */
const copyOf = (event: AssetEvent, references: string[]): AssetEvent => {
  const { accountId: _a, assetId, ...rest } = event.data;
  return { type: 'AssetCopied', data: { ...rest, accountId: T, assetId: copied(COPY, assetId), references, copiedFrom: { accountId: S, assetId, copyId: COPY } } };
};
const failed = (reason: string) => [{ type: 'AssetCopyFailed', data: { copyId: COPY, reason, detail: expect.any(String) } }] as CopyWorldEvent[];

describe('asset copy requests (AC1, AC4, A2)', () => {
  const assets = [list('l1'), form('f1'), email('e1', ['l1', 'f1'])];

  it('AC1 a copy along an asset-copying flow is requested, pending', () =>
    spec.given([...organization(), ...assets]).when(requestCopy()).then([requested()]));

  it('AC1 a two-way connection with asset copying carries copies both ways', () =>
    spec.given([...organization([twoWay(S, T, copying)]), ...assets]).when(requestCopy()).then([requested()]));

  it('AC1 without an asset-copying flow source → target: NO_FLOW', () =>
    spec.given([...organization([oneWay(S, T, { dataMirroring: true })]), ...assets]).when(requestCopy()).thenFails('NO_FLOW'));

  it('AC1 a one-way flow does not carry copies back: NO_FLOW', () =>
    spec.given([...organization([oneWay(T, S, copying)]), ...assets]).when(requestCopy()).thenFails('NO_FLOW'));

  it('AC1 an account that is no member has no flow: NO_FLOW', () =>
    spec
      .given([...organization(), ...administered('outsider'), saved('e1', fields('marketing-email'), 'outsider')])
      .when(requestCopy({ sourceAccountId: 'outsider' }))
      .thenFails('NO_FLOW'));

  it('AC1 an unknown asset of the source: ASSET_NOT_FOUND', () =>
    spec.given([...organization(), ...assets]).when(requestCopy({ assetIds: ['e1', 'nope'] })).thenFails('ASSET_NOT_FOUND'));

  it('AC1 the asset ids are looked up in the source, not the target: ASSET_NOT_FOUND', () =>
    spec.given([...organization(), saved('e1', fields('form'), T)]).when(requestCopy()).thenFails('ASSET_NOT_FOUND'));

  it('AC1 a marketing email that is not automated is not copied: ASSET_NOT_COPYABLE', () =>
    spec.given([...organization(), email('e1', [], { automated: false })]).when(requestCopy()).thenFails('ASSET_NOT_COPYABLE'));

  it('AC2 drafts can be copied', () =>
    spec.given([...organization(), email('e1', [], { draft: true })]).when(requestCopy()).then([requested()]));

  it('AC4 the actor must be a Super Admin of the target: NOT_SUPER_ADMIN', () =>
    spec.given([...organization(), ...assets, userRemoved(T)]).when(requestCopy()).thenFails('NOT_SUPER_ADMIN'));

  it('AC4 the actor must be a Super Admin of the source: NOT_SUPER_ADMIN', () =>
    spec.given([...organization(), ...assets]).when(requestCopy({ actorUserId: 'someone-else' })).thenFails('NOT_SUPER_ADMIN'));

  it('AC4 a repeated copy id changes nothing, whatever the body', () =>
    spec.given([...organization(), ...assets, requested()]).when(requestCopy({ assetIds: ['f1'], targetAccountId: 'x' })).thenNothing());

  it('A2 a deactivated target takes no assets: ACCOUNT_DEACTIVATED', () =>
    spec.given([...organization(), ...assets, deactivated(T)]).when(requestCopy()).thenFails('ACCOUNT_DEACTIVATED'));

  it('O10 a deleted organization copies nothing: ORGANIZATION_DELETED', () =>
    spec.given([...organization(), ...assets, organizationDeleted(['primary', S, T])]).when(requestCopy()).thenFails('ORGANIZATION_DELETED'));
});

describe('carrying out an asset copy (AC2, AC3, AC4)', () => {
  const l1 = list('l1');
  const f1 = form('f1');
  const e1 = email('e1', ['l1', 'f1']);

  it('AC3 an email is copied with its list and form, its references pointing at the copies', () =>
    spec
      .given([...organization(), l1, f1, e1, requested()])
      .when(carryOut)
      .then([
        copyOf(e1, [copied(COPY, 'l1'), copied(COPY, 'f1')]),
        copyOf(l1, []),
        copyOf(f1, []),
        {
          type: 'AssetCopyCompleted',
          data: {
            copyId: COPY,
            items: [
              { sourceAssetId: 'e1', targetAssetId: copied(COPY, 'e1'), type: 'marketing-email' },
              { sourceAssetId: 'l1', targetAssetId: copied(COPY, 'l1'), type: 'list' },
              { sourceAssetId: 'f1', targetAssetId: copied(COPY, 'f1'), type: 'form' },
            ],
          },
        },
      ]));

  it('AC3 a list two requested emails share is copied once', () => {
    const e2 = email('e2', ['l1']);
    spec
      .given([...organization(), l1, f1, e1, e2, requested({ assetIds: ['e1', 'e2'] })])
      .when(carryOut)
      .then([
        copyOf(e1, [copied(COPY, 'l1'), copied(COPY, 'f1')]),
        copyOf(e2, [copied(COPY, 'l1')]),
        copyOf(l1, []),
        copyOf(f1, []),
        { type: 'AssetCopyCompleted', data: { copyId: COPY, items: expect.any(Array) } },
      ]);
  });

  it('AC3 a requested asset that another requested asset references is copied once', () =>
    spec
      .given([...organization(), l1, f1, e1, requested({ assetIds: ['l1', 'e1', 'l1'] })])
      .when(carryOut)
      .then([copyOf(l1, []), copyOf(e1, [copied(COPY, 'l1'), copied(COPY, 'f1')]), copyOf(f1, []), expect.objectContaining({ type: 'AssetCopyCompleted' })]));

  it('AC3 a cycle of references is copied once around, the copies referencing each other', () => {
    const a = list('a', ['b']);
    const b = list('b', ['a']);
    const self = form('self');
    const selfRef = saved('self', fields('form', { references: ['self'] }));
    spec
      .given([...organization(), a, b, self, selfRef, requested({ assetIds: ['a', 'self'] })])
      .when(carryOut)
      .then([copyOf(a, [copied(COPY, 'b')]), copyOf(selfRef, [copied(COPY, 'self')]), copyOf(b, [copied(COPY, 'a')]), expect.objectContaining({ type: 'AssetCopyCompleted' })]);
  });

  it('AC2 a draft stays a draft, and the copy is a new asset naming its origin', () => {
    const draft = email('d1', [], { draft: true });
    spec.given([...organization(), draft, requested({ assetIds: ['d1'] })]).when(carryOut).then([copyOf(draft, []), expect.objectContaining({ type: 'AssetCopyCompleted' })]);
  });

  it('AC2 the copy takes the source as the world holds it (the handler loads it as of the request)', () => {
    const edited = email('e1', ['l1'], { name: 'edited' });
    spec.given([...organization(), l1, f1, e1, edited, requested()]).when(carryOut).then([copyOf(edited, [copied(COPY, 'l1')]), copyOf(l1, []), expect.objectContaining({ type: 'AssetCopyCompleted' })]);
  });

  it('AC4 a redelivered copy that completed decides nothing (no second copy)', () =>
    spec
      .given([...organization(), l1, f1, e1, requested(), { type: 'AssetCopyCompleted', data: { copyId: COPY, items: [] } }])
      .when(carryOut)
      .thenNothing());

  it('AC4 a copy that failed is not carried out later', () =>
    spec
      .given([...organization(), l1, f1, e1, requested(), { type: 'AssetCopyFailed', data: { copyId: COPY, reason: 'flow-revoked', detail: 'x' } }])
      .when(carryOut)
      .thenNothing());

  it('AC4 an unknown copy decides nothing', () => spec.given([...organization(), e1]).when(carryOut).thenNothing());

  it('AC1 a target that leaves the organization while the copy is pending: failed, target-left-organization, nothing written into it', () =>
    spec.given([...organization(), l1, f1, e1, requested(), ...withMembership(memberEvicted(T, 'downgrade'))]).when(carryOut).then(failed('target-left-organization')));

  it('AC1 a source that leaves while pending: failed, source-left-organization', () =>
    spec.given([...organization(), l1, f1, e1, requested(), ...withMembership(memberEvicted(S, 'hosting-moved'))]).when(carryOut).then(failed('source-left-organization')));

  it('AC1 a flow revoked while pending: failed, flow-revoked', () =>
    spec
      .given([...organization(), l1, f1, e1, requested(), connectionsConfigured([oneWay(S, T, { dataMirroring: true })])])
      .when(carryOut)
      .then(failed('flow-revoked')));

  it('A2 a target deactivated while pending: failed, target-deactivated', () =>
    spec.given([...organization(), l1, f1, e1, requested(), deactivated(T)]).when(carryOut).then(failed('target-deactivated')));

  it('AC1 an organization deleted while pending: failed, organization-deleted', () =>
    spec.given([...organization(), l1, f1, e1, requested(), ...withMembership(organizationDeleted(['primary', S, T]))]).when(carryOut).then(failed('organization-deleted')));

  it('AC2 a target asset already holding a copy id (stored there by hand) fails the copy instead of overwriting it', () =>
    spec.given([...organization(), l1, f1, e1, saved(copied(COPY, 'f1'), fields('form'), T), requested()]).when(carryOut).then(failed('target-asset-id-taken')));

  it('AC1 a copy larger than one append may be: failed, too-large, nothing written', () => {
    const limited = DeciderSpecification.for(assetCopyDecider(copied, { maxBytes: 600 }));
    const big = email('big', [], { content: { body: 'é'.repeat(400) } });
    limited.given([...organization(), big, requested({ assetIds: ['big'] })]).when(carryOut).then(failed('too-large'));
    limited.given([...organization(), l1, requested({ assetIds: ['l1'] })]).when(carryOut).then([copyOf(l1, []), expect.objectContaining({ type: 'AssetCopyCompleted' })]);
  });
});
