import { AsyncLocalStorage } from 'node:async_hooks';

export interface IdempotencyContext {
  key: string;
  streamId: string;
  requestHash: string;
  /** The same request hashed as records stored before canonical bodies were (bytes of JSON.stringify). */
  byteRequestHash?: string;
  status: number;
}

/**
 * What a command runs within, without threading it through every call: a
 * request sets it (correlation id, Idempotency-Key); a saga's command has
 * none and falls back to its own ids.
 */
export interface CommandContext {
  correlationId: string;
  idempotency?: IdempotencyContext;
}

export const commandContext = new AsyncLocalStorage<CommandContext>();
