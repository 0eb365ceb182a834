import type { AssetType } from './asset.events';

export interface AssetCopyRequest {
  copyId: string;
  organizationId: string;
  sourceAccountId: string;
  targetAccountId: string;
  /** The assets asked for; what they reference comes along (AC3). */
  assetIds: string[];
  actorUserId: string;
}

export interface AssetCopyItem {
  sourceAssetId: string;
  targetAssetId: string;
  type: AssetType;
}

/**
 * Why a copy did not run, named so a person knows what to fix before asking
 * again: the flow, the membership or the target account changed between the
 * request and the copy.
 */
export type AssetCopyFailure =
  | 'organization-deleted'
  | 'source-left-organization'
  | 'target-left-organization'
  | 'target-deactivated'
  | 'flow-revoked'
  | 'source-asset-missing'
  | 'target-asset-id-taken'
  | 'too-large';

/** One stream per copy request (`asset-copy-{copyId}`): requested, then completed or failed. */
export type AssetCopyEvent =
  | { type: 'AssetCopyRequested'; data: AssetCopyRequest }
  | { type: 'AssetCopyCompleted'; data: { copyId: string; items: AssetCopyItem[] } }
  | { type: 'AssetCopyFailed'; data: { copyId: string; reason: AssetCopyFailure; detail: string } };

export const ASSET_COPY_EVENT_TYPES: ReadonlyArray<AssetCopyEvent['type']> = ['AssetCopyRequested', 'AssetCopyCompleted', 'AssetCopyFailed'];

export const assetCopyStream = (copyId: string): string => `asset-copy-${copyId}`;

export type AssetCopyStatus = 'pending' | 'completed' | 'failed';

export interface AssetCopy {
  request: AssetCopyRequest;
  status: AssetCopyStatus;
  items: AssetCopyItem[];
  error?: { reason: AssetCopyFailure; detail: string };
}

export type AssetCopyState = AssetCopy | null;

export function evolveAssetCopy(state: AssetCopyState, event: AssetCopyEvent): AssetCopyState {
  switch (event.type) {
    case 'AssetCopyRequested':
      // A copy is requested once (its stream is created by the request); a redelivery changes nothing.
      return state ?? { request: event.data, status: 'pending', items: [] };
    case 'AssetCopyCompleted':
      return state && { ...state, status: 'completed', items: event.data.items };
    case 'AssetCopyFailed':
      return state && { ...state, status: 'failed', error: { reason: event.data.reason, detail: event.data.detail } };
  }
}
