import {
  ASSET_COPY_EVENT_TYPES,
  ASSET_EVENT_TYPES,
  assetKey,
  evolveAsset,
  evolveAssetCopy,
  type Asset,
  type AssetCopy,
  type AssetCopyEvent,
  type AssetEvent,
} from '@mam/domain';
import { documentProjection, type Projection } from '../projections/projection';

export const ASSETS = 'assets';
export const ASSET_COPIES = 'asset_copies';

/** One document per asset: the decider's own state, folded by the same pure `evolveAsset`. */
export const assetsProjection: Projection = documentProjection<Asset>({
  name: 'assets',
  collection: { name: ASSETS, indexes: [['accountId']] },
  eventTypes: ASSET_EVENT_TYPES,
  key: (e) => {
    const d = e.data as { accountId: string; assetId: string };
    return assetKey(d.accountId, d.assetId);
  },
  evolve: (doc, e) => evolveAsset(doc, { type: e.type, data: e.data } as AssetEvent),
});

/** One document per copy request: its status, items and error (AC4). */
export const assetCopiesProjection: Projection = documentProjection<AssetCopy>({
  name: 'asset-copies',
  collection: { name: ASSET_COPIES, indexes: [] },
  eventTypes: ASSET_COPY_EVENT_TYPES,
  key: (e) => (e.data as { copyId: string }).copyId,
  evolve: (doc, e) => evolveAssetCopy(doc, { type: e.type, data: e.data } as AssetCopyEvent),
});
