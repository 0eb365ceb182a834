export interface IdempotencyContext {
  key: string;
  streamId: string;
  requestHash: string;
  /** The same request hashed as records stored before canonical bodies were (bytes of JSON.stringify). */
  byteRequestHash?: string;
  status: number;
}

/**
 * What a command runs within: a request defines it (correlation id,
 * Idempotency-Key) and hands it to the command explicitly; a saga's command
 * has none and falls back to its own ids. It is passed, not kept in an
 * AsyncLocalStorage: on Node 20 one enabled AsyncLocalStorage installs async
 * hooks that every promise and native handle of the process then pays for
 * (projections and sagas included), about a tenth of a command's CPU over
 * HTTP.
 */
export interface CommandContext {
  correlationId: string;
  idempotency?: IdempotencyContext;
}
