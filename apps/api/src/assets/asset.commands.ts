import { Inject, Injectable } from '@nestjs/common';
import {
  accountStream,
  assetCopyDecider,
  assetCopyStream,
  assetKey,
  assetStream,
  copyBlocker,
  decideSaveAsset,
  emptyCopyWorld,
  evolveAccount,
  evolveAsset,
  evolveCopyWorld,
  organizationStream,
  requireActiveAccount,
  type Account,
  type AccountEvent,
  type AssetCopyCommand,
  type AssetCopyRequest,
  type AssetEvent,
  type AssetFields,
  type AssetState,
  type CopyWorld,
  type CopyWorldEvent,
  type DomainEvent,
} from '@mam/domain';
import { EVENT_STORE, type EventStore } from '@mam/event-store';
import { APP_CONFIG, type AppConfig } from '../config/config';
import type { CommandContext } from '../commands/command-context';
import { CommandExecutor, type CommandResult, type Decision, type StreamLoader } from '../commands/command-executor';
import { copiedAssetId } from './copied-asset-id';

export type CarryOutAssetCopy = Extract<AssetCopyCommand, { type: 'CarryOutAssetCopy' }>;

/**
 * Assets (CRM data of an account, one stream per asset) and asset copies
 * (one stream per copy request). A copy's assets and its completion are
 * appended in one atomic multi-stream append: a copy is in the target
 * entirely or not at all, so a crash in the middle leaves nothing to repair.
 */
@Injectable()
export class AssetCommands {
  private readonly decider: ReturnType<typeof assetCopyDecider>;

  constructor(
    private readonly executor: CommandExecutor,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'assetCopyMaxBytes'>,
  ) {
    this.decider = assetCopyDecider(copiedAssetId, { maxBytes: config.assetCopyMaxBytes });
  }

  saveAsset(context: CommandContext | undefined, accountId: string, assetId: string, fields: AssetFields): Promise<CommandResult> {
    return this.executor.execute({
      context,
      name: 'SaveAsset',
      decide: async (loader) => {
        const account = (await loader.load<AccountEvent>(accountStream(accountId))).reduce<Account | null>(evolveAccount, null);
        requireActiveAccount(account, accountId);
        const streamId = assetStream(accountId, assetId);
        const state = (await loader.load<AssetEvent>(streamId)).reduce(evolveAsset, null);
        // Assets are never deleted: a reference found here cannot go away before the append.
        const existing = new Set<string>();
        for (const ref of new Set(fields.references)) {
          if (ref !== assetId && (await loader.exists(assetStream(accountId, ref)))) existing.add(ref);
        }
        return { writes: [{ streamId, events: decideSaveAsset({ accountId, assetId, fields }, state, (id) => existing.has(id)) }] };
      },
    });
  }

  /** 202 `{ copyId }`; a known copyId answers with it and appends nothing, whatever the rest of the request. */
  requestCopy(context: CommandContext | undefined, request: AssetCopyRequest): Promise<CommandResult> {
    return this.executor.execute({
      context,
      name: 'RequestAssetCopy',
      actorUserId: request.actorUserId,
      reply: { copyId: request.copyId },
      decide: async (loader) => {
        const copyStreamId = assetCopyStream(request.copyId);
        let world = fold(emptyCopyWorld(), await loader.load<CopyWorldEvent>(copyStreamId));
        if (world.copy) return { writes: [] };
        world = fold(world, await loader.load<CopyWorldEvent>(organizationStream(request.organizationId)));
        for (const id of new Set([request.sourceAccountId, request.targetAccountId])) {
          world = fold(world, await loader.load<CopyWorldEvent>(accountStream(id)));
        }
        for (const assetId of new Set(request.assetIds)) {
          world = fold(world, await loader.load<CopyWorldEvent>(assetStream(request.sourceAccountId, assetId)));
        }
        return { writes: [{ streamId: copyStreamId, events: this.decider.decide({ type: 'RequestAssetCopy', data: request }, world) }] };
      },
    });
  }

  /** The process manager's command: `commandId` derives from the request event, so a redelivery appends nothing twice. */
  carryOut(command: CarryOutAssetCopy, commandId: string, causationId: string): Promise<CommandResult> {
    return this.executor.execute({ context: undefined, name: 'CarryOutAssetCopy', commandId, causationId, decide: (loader) => this.decideCarryOut(command, loader) });
  }

  private async decideCarryOut(command: CarryOutAssetCopy, loader: StreamLoader): Promise<Decision> {
    const { copyId } = command.data;
    const copyStreamId = assetCopyStream(copyId);
    let world = fold(emptyCopyWorld(), await loader.load<CopyWorldEvent>(copyStreamId));
    if (world.copy?.status !== 'pending') return { writes: [] };
    const request = world.copy.request;
    const { organizationId, sourceAccountId, targetAccountId, assetIds } = request;
    world = fold(world, await loader.load<CopyWorldEvent>(organizationStream(organizationId)));
    for (const id of new Set([sourceAccountId, targetAccountId])) world = fold(world, await loader.load<CopyWorldEvent>(accountStream(id)));
    // A copy that may no longer run fails without reading its assets.
    if (copyBlocker(world, request)) return { writes: [{ streamId: copyStreamId, events: this.decider.decide(command, world) }] };
    const reachable = await this.sourceAsOf(world, sourceAccountId, assetIds, BigInt(command.data.asOf));
    // Where the copies will go: read so that each is appended only if still free (and so a taken id is seen).
    for (const sourceAssetId of reachable) {
      world = fold(world, await loader.load<CopyWorldEvent>(assetStream(targetAccountId, copiedAssetId(copyId, sourceAssetId))));
    }
    const events = this.decider.decide(command, world);
    const byStream = new Map<string, DomainEvent[]>();
    for (const e of events) {
      const streamId = e.type === 'AssetCopied' ? assetStream(e.data.accountId, e.data.assetId) : copyStreamId;
      byStream.set(streamId, [...(byStream.get(streamId) ?? []), e]);
    }
    return { writes: [...byStream].map(([streamId, streamEvents]) => ({ streamId, events: streamEvents })) };
  }

  /**
   * AC2: the source's assets reachable from `assetIds` as they stood at the
   * request (`asOf`, its position), not as they are when the copy runs: an
   * edit after the request, however soon, is not in the copy. Read straight
   * from the store (these streams are not written, so guard nothing), into
   * `world.assets`; answers the ids read.
   */
  private async sourceAsOf(world: CopyWorld, accountId: string, assetIds: string[], asOf: bigint): Promise<string[]> {
    const seen = new Set<string>();
    const queue = [...assetIds];
    while (queue.length > 0) {
      const assetId = queue.shift()!;
      if (seen.has(assetId)) continue;
      seen.add(assetId);
      const events = (await this.store.readStream(assetStream(accountId, assetId))).filter((e) => e.position <= asOf);
      const asset = events.reduce<AssetState>((s, e) => evolveAsset(s, { type: e.type, data: e.data } as AssetEvent), null);
      if (!asset) continue;
      world.assets.set(assetKey(accountId, assetId), asset);
      queue.push(...asset.references);
    }
    return [...seen];
  }
}

function fold(world: CopyWorld, events: CopyWorldEvent[]): CopyWorld {
  return events.reduce(evolveCopyWorld, world);
}
