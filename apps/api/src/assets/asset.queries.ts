import { Inject, Injectable } from '@nestjs/common';
import { assetKey, isSuperAdmin, type Account, type Asset, type AssetCopy } from '@mam/domain';
import { READ_STORE, type ReadStore } from '@mam/read-store';
import { Problem } from '../http/problem';
import { ACCOUNTS } from '../accounts/account.projections';
import { ASSET_COPIES, ASSETS } from './asset.projections';

const SUMMARY_FIELDS = ['accountId', 'assetId', 'type', 'name', 'automated', 'draft', 'references', 'copiedFrom'];

function view(asset: Asset, withContent: boolean) {
  return {
    assetId: asset.assetId,
    type: asset.type,
    name: asset.name,
    automated: asset.automated,
    draft: asset.draft,
    references: asset.references,
    ...(asset.copiedFrom ? { copiedFrom: asset.copiedFrom } : {}),
    ...(withContent ? { content: asset.content } : {}),
  };
}

@Injectable()
export class AssetQueries {
  constructor(@Inject(READ_STORE) private readonly store: ReadStore) {}

  /** The account's assets without their content (up to 256 KB each); one asset with it. */
  async list(accountId: string) {
    await this.requireAccount(accountId);
    const rows = await this.store.find<Asset>(ASSETS, { accountId }, { fields: SUMMARY_FIELDS });
    return { items: rows.map(({ doc }) => view(doc, false)) };
  }

  async one(accountId: string, assetId: string) {
    const asset = await this.store.get<Asset>(ASSETS, assetKey(accountId, assetId));
    if (!asset) throw Problem.of('NOT_FOUND', `account ${accountId} has no asset ${assetId}`);
    return view(asset, true);
  }

  /** AC4: a copy's status, for Super Admins of its source or target; to anyone else it does not exist. */
  async copy(copyId: string, actorUserId: string) {
    const copy = await this.store.get<AssetCopy>(ASSET_COPIES, copyId);
    const hidden = () => Problem.of('NOT_FOUND', `no asset copy ${copyId}`);
    if (!copy) throw hidden();
    const { request } = copy;
    const accounts = await this.store.getMany<Account>(ACCOUNTS, [request.sourceAccountId, request.targetAccountId]);
    if (![...accounts.values()].some((a) => isSuperAdmin(a, actorUserId))) throw hidden();
    return {
      copyId: request.copyId,
      status: copy.status,
      organizationId: request.organizationId,
      sourceAccountId: request.sourceAccountId,
      targetAccountId: request.targetAccountId,
      assetIds: request.assetIds,
      items: copy.items,
      ...(copy.error ? { error: copy.error } : {}),
    };
  }

  private async requireAccount(accountId: string): Promise<void> {
    if (!(await this.store.get(ACCOUNTS, accountId))) throw Problem.of('NOT_FOUND', `account ${accountId} does not exist`);
  }
}
