import { assetCopyStream, evolveAssetCopy, type AssetCopyEvent, type AssetCopyState } from '@mam/domain';
import type { EventStore } from '@mam/event-store';
import type { AssetCopyContext } from './asset-copy.process';

/** The copy's state straight from its stream: never behind a read model. */
export function eventStoreAssetCopyContext(store: EventStore): AssetCopyContext {
  return {
    async copy(copyId): Promise<AssetCopyState> {
      const events = await store.readStream(assetCopyStream(copyId));
      return events.reduce<AssetCopyState>((s, e) => evolveAssetCopy(s, { type: e.type, data: e.data } as AssetCopyEvent), null);
    },
  };
}
