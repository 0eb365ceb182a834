import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '@mam/domain';
import {
  ConcurrencyError,
  EVENT_STORE,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type RecordedEvent,
  type StreamAppend,
} from '@mam/event-store';
import type { CommandContext } from './command-context';
import { CommandError } from './command-error';
import { eventId } from './event-ids';
import { answerFor, IdempotentReplay, idempotencyRecord, readIdempotencyRecord } from './idempotency';
import { CommandMetrics } from '../ops/metrics.service';

/** Streams read while deciding; every stream written must have been read, so its revision guards the write. */
export class StreamLoader {
  readonly revisions = new Map<string, bigint | null>();
  private readonly recorded = new Map<string, RecordedEvent[]>();

  constructor(private readonly store: EventStore) {}

  async load<E extends DomainEvent = DomainEvent>(streamId: string): Promise<E[]> {
    return this.keep<E>(streamId, await this.store.readStream(streamId));
  }

  /** Several streams in one store read (a batch's contacts: one query, not one each), keyed as asked. */
  async loadMany<E extends DomainEvent = DomainEvent>(streamIds: readonly string[]): Promise<Map<string, E[]>> {
    const read = await this.store.readStreams(streamIds);
    const streams = new Map<string, E[]>();
    for (const [streamId, events] of read) streams.set(streamId, this.keep<E>(streamId, events));
    return streams;
  }

  private keep<E extends DomainEvent>(streamId: string, events: RecordedEvent[]): E[] {
    this.revisions.set(streamId, events.length ? events[events.length - 1].revision : null);
    this.recorded.set(streamId, events);
    return events.map((e) => ({ type: e.type, data: e.data }) as E);
  }

  /**
   * The stored event a command with this id wrote first into a stream read
   * here, if any: that command already took effect (its appends are atomic).
   */
  appliedBy(commandId: string): RecordedEvent | undefined {
    for (const [streamId, events] of this.recorded) {
      const id = eventId(commandId, streamId, 0);
      const found = events.find((e) => e.id === id);
      if (found) return found;
    }
    return undefined;
  }

  async exists(streamId: string): Promise<boolean> {
    return (await this.load(streamId)).length > 0;
  }

  expectation(streamId: string): ExpectedRevision {
    if (!this.revisions.has(streamId)) throw new Error(`stream ${streamId} was written without being read`);
    return this.revisions.get(streamId) ?? 'no_stream';
  }
}

export interface Decision {
  /** Events per stream, in append order. */
  writes: Array<{ streamId: string; events: DomainEvent[] }>;
  /** Streams that must not exist yet, written with the decision (e.g. a used step-up `jti`). */
  claims?: Array<{ streamId: string; event: DomainEvent }>;
}

export interface CommandOptions {
  name: string;
  /** The request's context (correlation id, Idempotency-Key); none for a saga's or process's command. */
  context: CommandContext | undefined;
  decide: (loader: StreamLoader) => Promise<Decision>;
  actorUserId?: string;
  /** Deterministic id (saga reactions): makes a repeated reaction append nothing. */
  commandId?: string;
  causationId?: string;
  /** Answer fields besides `position`, recorded for idempotent replays. */
  reply?: Record<string, unknown>;
}

/** api.md's command answer: the reply fields and the position of the last event appended. */
export type CommandResult = Record<string, unknown> & { position: string };

const MAX_ATTEMPTS = 5;

/**
 * Runs one command: load streams, decide, append everything atomically with
 * each written stream at the revision it was read. A concurrent writer makes
 * the append fail as a whole; the command is then decided again on fresh
 * state (so an O4 race loser sees the winner and gets its rule's 422), and
 * after MAX_ATTEMPTS the caller gets 409 CONFLICT.
 */
@Injectable()
export class CommandExecutor {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly metrics: CommandMetrics,
  ) {}

  async execute(options: CommandOptions): Promise<CommandResult> {
    const stop = this.metrics.start(options.name);
    try {
      const result = await this.attempt(options);
      stop('ok');
      return result;
    } catch (error) {
      stop(error instanceof IdempotentReplay ? 'replay' : 'rejected');
      throw error;
    }
  }

  private async attempt(options: CommandOptions): Promise<CommandResult> {
    const ctx = options.context;
    const at = new Date().toISOString();
    for (let attempt = 1; ; attempt++) {
      if (ctx?.idempotency) {
        const previous = await readIdempotencyRecord(this.store, ctx.idempotency);
        if (previous) throw new IdempotentReplay(answerFor(previous, ctx.idempotency));
      }
      const loader = new StreamLoader(this.store);
      const decision = await options.decide(loader).catch(async (error: unknown) => {
        // A racing request with the same key may have won between the check and the read:
        // its stored answer, not a rule broken by its own effect, is the answer.
        const previous = ctx?.idempotency ? await readIdempotencyRecord(this.store, ctx.idempotency) : null;
        throw previous ? new IdempotentReplay(answerFor(previous, ctx!.idempotency!)) : error;
      });
      // A process's command delivered again after it took effect: re-deciding it on the state
      // it changed (or that changed since) could decide its events anew, under ids already stored.
      const applied = options.commandId ? loader.appliedBy(options.commandId) : undefined;
      if (applied) return { ...options.reply, position: applied.position.toString() };
      const metadata: EventMetadata = {
        at,
        correlationId: ctx?.correlationId ?? options.commandId ?? randomUUID(),
        ...(options.causationId ? { causationId: options.causationId } : {}),
        ...(options.actorUserId ? { actorUserId: options.actorUserId } : {}),
        command: options.name,
      };
      // A stream the command would write but has nothing for still goes in, without events: the store
      // checks its revision, so "nothing to do" is answered only if it still holds when answered.
      const appends: StreamAppend[] = decision.writes.map((w) => ({
          streamId: w.streamId,
          expected: loader.expectation(w.streamId),
          events: w.events.map((e, i) => ({ id: eventId(options.commandId, w.streamId, i), type: e.type, data: e.data, metadata })),
        }));
      for (const claim of decision.claims ?? []) {
        appends.push({
          streamId: claim.streamId,
          expected: 'no_stream',
          events: [{ id: eventId(options.commandId, claim.streamId, 0), ...claim.event, metadata }],
        });
      }
      if (ctx?.idempotency) {
        appends.push(idempotencyRecord(ctx.idempotency, options.reply ?? {}, metadata));
      }
      if (appends.length === 0) {
        const head = await this.store.headPosition();
        return { ...options.reply, position: (head ?? 0n).toString() };
      }
      try {
        const results = await this.store.appendMany(appends);
        const position = results.reduce((max, r) => (r.position > max ? r.position : max), 0n);
        return { ...options.reply, position: position.toString() };
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
        if (attempt >= MAX_ATTEMPTS) throw new CommandError('CONFLICT', 'the resource was changed concurrently; retry the request');
      }
    }
  }
}
