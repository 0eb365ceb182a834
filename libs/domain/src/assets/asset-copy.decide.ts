import { effectiveFlows } from '../connections/connection';
import { isSuperAdmin } from '../accounts/account.state';
import type { Decider } from '../shared/decider';
import { fail } from '../shared/domain-error';
import type { AssetEvent } from './asset.events';
import { isCopyable, type Asset } from './asset.state';
import type { AssetCopyEvent, AssetCopyFailure, AssetCopyItem, AssetCopyRequest } from './asset-copy.events';
import { assetKey, emptyCopyWorld, evolveCopyWorld, type CopyWorld, type CopyWorldEvent } from './asset-copy.world';

export type AssetCopyCommand =
  | { type: 'RequestAssetCopy'; data: AssetCopyRequest }
  /** `asOf`: the request's position; the handler loads the source as it stood there (AC2). */
  | { type: 'CarryOutAssetCopy'; data: { copyId: string; asOf: string } };

/** The id a copy takes in the target: derived from the copy and the source asset, so a redelivery writes the same ids. */
export type CopiedAssetId = (copyId: string, sourceAssetId: string) => string;

export interface AssetCopyLimits {
  /**
   * The most one copy may write, in bytes of JSON: its copies and completion
   * are one atomic append, and an event store may cap an append's size
   * (KurrentDB's MaxAppendSize). Unlimited when absent.
   */
  maxBytes?: number;
}

function hasFlow(world: CopyWorld, from: string, to: string): boolean {
  const org = world.organization;
  if (!org) return false;
  const members = new Set(org.members.map((m) => m.accountId));
  if (!members.has(from) || !members.has(to)) return false;
  return org.connections.some((c) => effectiveFlows(c).assetCopying.some((f) => f.from === from && f.to === to));
}

/** Why a copy cannot run on the world as it is now, or null. Most definite first. */
export function copyBlocker(world: CopyWorld, request: AssetCopyRequest): { reason: AssetCopyFailure; detail: string } | null {
  const org = world.organization;
  const { sourceAccountId: s, targetAccountId: t, organizationId } = request;
  const member = (id: string) => org?.members.some((m) => m.accountId === id) ?? false;
  if (!org || org.status === 'deleted') return { reason: 'organization-deleted', detail: `organization ${organizationId} was deleted before the copy ran` };
  if (!member(s)) return { reason: 'source-left-organization', detail: `source account ${s} left organization ${organizationId} before the copy ran` };
  if (!member(t)) return { reason: 'target-left-organization', detail: `target account ${t} left organization ${organizationId} before the copy ran` };
  if (world.accounts.get(t)?.status === 'deactivated') return { reason: 'target-deactivated', detail: `target account ${t} was deactivated before the copy ran` };
  if (!hasFlow(world, s, t)) {
    return { reason: 'flow-revoked', detail: `the asset-copying flow ${s} → ${t} was revoked before the copy ran; turn it on again and request a new copy` };
  }
  return null;
}

/** AC1, AC4 and A2, checked when the copy is asked for: a refusal appends nothing. A known copyId changes nothing. */
function decideRequest(request: AssetCopyRequest, world: CopyWorld): AssetCopyEvent[] {
  if (world.copy) return [];
  const org = world.organization;
  const { sourceAccountId: s, targetAccountId: t, actorUserId } = request;
  if (!org) fail('NOT_FOUND', `organization ${request.organizationId} does not exist`);
  if (org.status === 'deleted') fail('ORGANIZATION_DELETED', `organization ${request.organizationId} was deleted`);
  if (!hasFlow(world, s, t)) fail('NO_FLOW', `organization ${request.organizationId} has no asset-copying flow ${s} → ${t}`);
  const source = world.accounts.get(s);
  const target = world.accounts.get(t);
  if (!source || !target || !isSuperAdmin(source, actorUserId) || !isSuperAdmin(target, actorUserId)) {
    fail('NOT_SUPER_ADMIN', `user ${actorUserId} is not a Super Admin of both ${s} and ${t}`);
  }
  if (target.status === 'deactivated') fail('ACCOUNT_DEACTIVATED', `target account ${t} is deactivated`);
  for (const assetId of request.assetIds) {
    const asset = world.assets.get(assetKey(s, assetId));
    if (!asset) fail('ASSET_NOT_FOUND', `account ${s} has no asset ${assetId}`);
    if (!isCopyable(asset)) fail('ASSET_NOT_COPYABLE', `asset ${assetId} is a marketing email that is not automated (AC1 copies automated emails, lists and forms)`);
  }
  return [{ type: 'AssetCopyRequested', data: { ...request, assetIds: [...new Set(request.assetIds)] } }];
}

/**
 * AC3: the requested assets and everything they reference, transitively,
 * each once (shared references, cycles), in a stable order: breadth-first
 * from the requested ones. `missing` names a reference absent from `assets`.
 */
export function reachableAssets(accountId: string, requested: string[], assets: Map<string, Asset>): Asset[] | { missing: string } {
  const seen = new Set<string>();
  const order: Asset[] = [];
  const queue = [...requested];
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const asset = assets.get(assetKey(accountId, id));
    if (!asset) return { missing: id };
    order.push(asset);
    for (const ref of asset.references) if (!seen.has(ref)) queue.push(ref);
  }
  return order;
}

/**
 * The copy itself, judged on the current flow and membership: either every
 * copy and the completion, appended together (a failed copy writes nothing
 * into the target), or the failure with its reason. A copy no longer
 * pending decides nothing: a redelivery appends nothing twice.
 */
function decideCarryOut(copyId: string, world: CopyWorld, copiedAssetId: CopiedAssetId, limits: AssetCopyLimits): Array<AssetEvent | AssetCopyEvent> {
  const copy = world.copy;
  if (!copy || copy.status !== 'pending') return [];
  const failed = (reason: AssetCopyFailure, detail: string): AssetCopyEvent[] => [{ type: 'AssetCopyFailed', data: { copyId, reason, detail } }];
  const blocker = copyBlocker(world, copy.request);
  if (blocker) return failed(blocker.reason, blocker.detail);
  const { sourceAccountId: s, targetAccountId: t } = copy.request;
  const assets = reachableAssets(s, copy.request.assetIds, world.assets);
  if ('missing' in assets) return failed('source-asset-missing', `asset ${assets.missing} of account ${s} is referenced but does not exist`);
  const newIds = new Map(assets.map((a) => [a.assetId, copiedAssetId(copyId, a.assetId)]));
  const taken = assets.find((a) => world.assets.has(assetKey(t, newIds.get(a.assetId)!)));
  if (taken) {
    return failed('target-asset-id-taken', `account ${t} already has an asset ${newIds.get(taken.assetId)}, the id the copy of ${taken.assetId} takes; request a new copy (another copyId)`);
  }
  const events: Array<AssetEvent | AssetCopyEvent> = assets.map((a) => ({
    type: 'AssetCopied',
    data: {
      accountId: t,
      assetId: newIds.get(a.assetId)!,
      type: a.type,
      name: a.name,
      automated: a.automated,
      // AC2: a draft stays a draft.
      draft: a.draft,
      content: structuredClone(a.content),
      // AC3: references point at the copies.
      references: a.references.map((r) => newIds.get(r)!),
      copiedFrom: { accountId: s, assetId: a.assetId, copyId },
    },
  }));
  const items: AssetCopyItem[] = assets.map((a) => ({ sourceAssetId: a.assetId, targetAssetId: newIds.get(a.assetId)!, type: a.type }));
  events.push({ type: 'AssetCopyCompleted', data: { copyId, items } });
  if (limits.maxBytes !== undefined) {
    const bytes = events.reduce((n, e) => n + utf8Length(JSON.stringify(e.data)), 0);
    if (bytes > limits.maxBytes) {
      return failed('too-large', `the copy of ${assets.length} assets is ${bytes} bytes, more than the ${limits.maxBytes} one copy may write; request fewer assets per copy`);
    }
  }
  return events;
}

/** UTF-8 bytes of a string, without a platform API (the domain has none). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i += 1;
    } else n += 3;
  }
  return n;
}

/** AC1–AC4 as Emmett's decider over a CopyWorld; the target ids come from `copiedAssetId`. */
export function assetCopyDecider(copiedAssetId: CopiedAssetId, limits: AssetCopyLimits = {}): Decider<CopyWorld, AssetCopyCommand, CopyWorldEvent> {
  return {
    initialState: emptyCopyWorld,
    evolve: evolveCopyWorld,
    decide(command, world) {
      switch (command.type) {
        case 'RequestAssetCopy':
          return decideRequest(command.data, world);
        case 'CarryOutAssetCopy':
          return decideCarryOut(command.data.copyId, world, copiedAssetId, limits);
      }
    },
  };
}
