export const ASSET_TYPES = ['marketing-email', 'list', 'form'] as const;
export type AssetType = (typeof ASSET_TYPES)[number];

/** api.md: `content` is any JSON object of at most 256 KB. */
export const MAX_ASSET_CONTENT_BYTES = 256 * 1024;

export interface AssetFields {
  type: AssetType;
  name: string;
  automated: boolean;
  draft: boolean;
  content: Record<string, unknown>;
  /** Asset ids of the same account (an email's lists and forms). */
  references: string[];
}

/** Where a copy came from (AC2: the copy is a new asset; this only names its origin). */
export interface CopiedFrom {
  accountId: string;
  assetId: string;
  copyId: string;
}

/** CRM data of one account, one stream per asset (`asset-{account}|{asset}`). */
export type AssetEvent =
  | { type: 'AssetSaved'; data: { accountId: string; assetId: string } & AssetFields }
  | { type: 'AssetCopied'; data: { accountId: string; assetId: string; copiedFrom: CopiedFrom } & AssetFields };

export const ASSET_EVENT_TYPES: ReadonlyArray<AssetEvent['type']> = ['AssetSaved', 'AssetCopied'];

export const assetStream = (accountId: string, assetId: string): string => `asset-${accountId}|${assetId}`;
