import { AsyncLocalStorage } from 'node:async_hooks';

export interface IdempotencyContext {
  key: string;
  streamId: string;
  requestHash: string;
  status: number;
}

/** Per-request facts the command pipeline needs without threading them through every call. */
export interface RequestContext {
  correlationId: string;
  idempotency?: IdempotencyContext;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();
