import { evolveAssetCopy, type AssetCopyEvent, type AssetCopyRequest, type AssetCopyState } from '@mam/domain';
import { SagaSpecification, type SpecContext, type SpecEvent } from '@mam/testing';
import type { CarryOutAssetCopy } from './asset.commands';
import { assetCopyProcess, type AssetCopyContext } from './asset-copy.process';

/** The process's view in the specs: copy requests folded from their events, nothing else. */
class InMemoryAssetCopyContext implements AssetCopyContext, SpecContext {
  private readonly copies = new Map<string, AssetCopyState>();

  apply(event: SpecEvent): void {
    if (!['AssetCopyRequested', 'AssetCopyCompleted', 'AssetCopyFailed'].includes(event.type)) return;
    const e = { type: event.type, data: structuredClone(event.data) } as AssetCopyEvent;
    this.copies.set(e.data.copyId, evolveAssetCopy(this.copies.get(e.data.copyId) ?? null, e));
  }

  async copy(copyId: string): Promise<AssetCopyState> {
    return structuredClone(this.copies.get(copyId) ?? null);
  }
}

const spec = SagaSpecification.withContext<CarryOutAssetCopy, InMemoryAssetCopyContext>(assetCopyProcess, () => new InMemoryAssetCopyContext());

const request = (copyId = 'copy-1'): AssetCopyRequest => ({
  copyId,
  organizationId: 'org-1',
  sourceAccountId: 'source',
  targetAccountId: 'target',
  assetIds: ['e1'],
  actorUserId: 'user-1',
});
const requested = (copyId = 'copy-1'): SpecEvent => ({ type: 'AssetCopyRequested', data: request(copyId), id: `requested-${copyId}`, streamId: `asset-copy-${copyId}` });
const saved = (assetId: string): SpecEvent => ({ type: 'AssetSaved', data: { accountId: 'source', assetId } });

describe('asset-copy process manager (AC2, AC4)', () => {
  it('AC4 a stored request is carried out once, as of the request: the command names its position', async () => {
    const then = spec.given([saved('l1'), saved('e1')]).when(requested());
    expect(then.event.position).toBe(3n);
    await then.then([{ type: 'CarryOutAssetCopy', data: { copyId: 'copy-1', asOf: '3' } }]);
  });

  it('AC2 the position is the request’s, not the head’s: edits after the request are not part of the copy', async () => {
    // The request is redelivered after the source changed: the command still names the request's position.
    const then = spec.given([saved('e1'), requested(), saved('e1'), saved('e1')]).when({ ...requested(), metadata: {} });
    const [command] = await then.commands();
    expect(command.data.asOf).toBe(then.event.position.toString());
  });

  it('AC4 a redelivered request whose copy completed issues nothing (no second copy)', () =>
    spec.given([requested(), { type: 'AssetCopyCompleted', data: { copyId: 'copy-1', items: [] } }]).when(requested()).thenNothing());

  it('AC4 a redelivered request whose copy failed issues nothing', () =>
    spec.given([requested(), { type: 'AssetCopyFailed', data: { copyId: 'copy-1', reason: 'flow-revoked', detail: 'x' } }]).when(requested()).thenNothing());

  it('AC4 another copy’s completion does not stop this one', () =>
    spec
      .given([requested('other'), { type: 'AssetCopyCompleted', data: { copyId: 'other', items: [] } }])
      .when(requested())
      .then([{ type: 'CarryOutAssetCopy', data: { copyId: 'copy-1', asOf: '3' } }]));

  it('AC4 the command id derives from the request event, so a redelivery repeats it (and its event ids)', async () => {
    const first = spec.given([]).when(requested());
    const again = spec.given([]).when(requested());
    const [a] = await first.commands();
    const [b] = await again.commands();
    expect(assetCopyProcess.commandId(first.event, a)).toBe(assetCopyProcess.commandId(again.event, b));
    expect(assetCopyProcess.commandId(first.event, a)).toContain(first.event.id);
  });
});
