import type { AssetCopyRequest, AssetCopyState } from '@mam/domain';
import type { RecordedEvent } from '@mam/event-store';
import type { ProcessManager } from '../sagas/saga';
import type { CarryOutAssetCopy } from './asset.commands';

/** What the asset-copy process reads: a copy request's current state. */
export interface AssetCopyContext {
  copy(copyId: string): Promise<AssetCopyState>;
}

export const ASSET_COPY_PROCESS = 'process:asset-copies';

/**
 * Carries out each copy request once it is stored (AC1–AC4). The command
 * names the request's position: the copy takes the source as it stood
 * there (AC2), however late the process runs. The decider re-checks the
 * flow and the membership on the current state, and writes the copies and
 * the completion in one atomic append (or the failure): a redelivery — the
 * runner's checkpoint not yet stored after a crash — finds the copy no longer
 * pending and issues nothing; should it race, the command's id, derived from
 * the request event, repeats its event ids and the store drops the repeat.
 */
export const assetCopyProcess: ProcessManager<CarryOutAssetCopy, AssetCopyContext> = {
  name: ASSET_COPY_PROCESS,
  eventTypes: new Set(['AssetCopyRequested']),
  commandId: (event, command) => `${event.id}:${ASSET_COPY_PROCESS}:${command.data.copyId}`,

  async react(event: RecordedEvent, context: AssetCopyContext): Promise<CarryOutAssetCopy[]> {
    const { copyId } = event.data as AssetCopyRequest;
    const copy = await context.copy(copyId);
    if (copy?.status !== 'pending') return [];
    return [{ type: 'CarryOutAssetCopy', data: { copyId, asOf: event.position.toString() } }];
  },
};
