import { fail } from '../shared/domain-error';
import type { AssetEvent, AssetFields } from './asset.events';
import type { AssetState } from './asset.state';

export interface SaveAsset {
  accountId: string;
  assetId: string;
  fields: AssetFields;
}

/**
 * Stores an asset (drafts too). Every reference must name an asset the
 * account already has (`exists`), or the asset itself; assets are never
 * deleted, so a reference once checked stays good. Storing the same fields
 * again appends nothing.
 */
export function decideSaveAsset(command: SaveAsset, state: AssetState, exists: (assetId: string) => boolean): AssetEvent[] {
  const { accountId, assetId } = command;
  const references = [...new Set(command.fields.references)];
  const missing = references.find((id) => id !== assetId && !exists(id));
  if (missing !== undefined) fail('REFERENCE_NOT_FOUND', `asset ${assetId} references ${missing}, which account ${accountId} does not have`);
  const fields: AssetFields = { ...command.fields, references };
  if (state && sameFields(state, fields)) return [];
  return [{ type: 'AssetSaved', data: { accountId, assetId, ...fields } }];
}

function sameFields(state: AssetFields, next: AssetFields): boolean {
  const pick = (f: AssetFields) => JSON.stringify([f.type, f.name, f.automated, f.draft, f.references, f.content]);
  return pick(state) === pick(next);
}
