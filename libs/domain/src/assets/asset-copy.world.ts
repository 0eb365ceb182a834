import { evolveWorld, type OrganizationWorld, type WorldEvent } from '../organizations/organization.world';
import { ASSET_EVENT_TYPES, type AssetEvent } from './asset.events';
import { evolveAsset, type Asset } from './asset.state';
import { ASSET_COPY_EVENT_TYPES, evolveAssetCopy, type AssetCopyEvent, type AssetCopyState } from './asset-copy.events';

/**
 * What a copy command is decided against: the copy request, the
 * organization, its two accounts, and the assets the handler loaded — the
 * source's as they stood at the request (AC2), the target's at the ids the
 * copies will take.
 */
export interface CopyWorld extends OrganizationWorld {
  copy: AssetCopyState;
  /** By `assetKey(accountId, assetId)`. */
  assets: Map<string, Asset>;
}

export type CopyWorldEvent = WorldEvent | AssetEvent | AssetCopyEvent;

export const assetKey = (accountId: string, assetId: string): string => `${accountId}|${assetId}`;

export const emptyCopyWorld = (): CopyWorld => ({ organization: null, accounts: new Map(), twoFactor: new Map(), copy: null, assets: new Map() });

const ASSET_TYPES: ReadonlySet<string> = new Set(ASSET_EVENT_TYPES);
const COPY_TYPES: ReadonlySet<string> = new Set(ASSET_COPY_EVENT_TYPES);

export function evolveCopyWorld(world: CopyWorld, event: CopyWorldEvent): CopyWorld {
  if (COPY_TYPES.has(event.type)) return { ...world, copy: evolveAssetCopy(world.copy, event as AssetCopyEvent) };
  if (ASSET_TYPES.has(event.type)) {
    const e = event as AssetEvent;
    const key = assetKey(e.data.accountId, e.data.assetId);
    const next = evolveAsset(world.assets.get(key) ?? null, e);
    // Folding thousands of assets: the map is the world's own, changed in place.
    if (next) world.assets.set(key, next);
    return world;
  }
  const next = evolveWorld(world, event as WorldEvent);
  return { ...world, ...next };
}
