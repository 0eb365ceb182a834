import type { AssetEvent, AssetFields, CopiedFrom } from './asset.events';

export interface Asset extends AssetFields {
  accountId: string;
  assetId: string;
  copiedFrom?: CopiedFrom;
}

/** `null` until the asset is first stored. */
export type AssetState = Asset | null;

/** A PUT over a copy keeps `copiedFrom`: the asset still came from there, even when edited since. */
export function evolveAsset(state: AssetState, event: AssetEvent): AssetState {
  switch (event.type) {
    case 'AssetSaved':
      return { ...event.data, ...(state?.copiedFrom ? { copiedFrom: state.copiedFrom } : {}) };
    case 'AssetCopied':
      return { ...event.data };
  }
}

/** AC1: automated marketing emails, lists and forms can be copied (an email that is not automated cannot). */
export const isCopyable = (asset: Pick<Asset, 'type' | 'automated'>): boolean => asset.type !== 'marketing-email' || asset.automated;
