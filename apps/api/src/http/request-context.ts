import { AsyncLocalStorage } from 'node:async_hooks';

export interface IdempotencyContext {
  key: string;
  streamId: string;
  requestHash: string;
  /** The same request hashed as records stored before canonical bodies were (bytes of JSON.stringify). */
  byteRequestHash?: string;
  status: number;
}

/** Per-request facts the command pipeline needs without threading them through every call. */
export interface RequestContext {
  correlationId: string;
  idempotency?: IdempotencyContext;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();
