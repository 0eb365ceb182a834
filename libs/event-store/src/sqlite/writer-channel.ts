import type { Outcome, SerializedError } from './sqlite-writer';
import type { PackedAppend } from './packed-append';

/** Index, in the shared Int32Array, of the counter the store bumps after each request it posts. */
export const REQUESTS = 0;

export interface WriterRequest {
  id: number;
  groups?: PackedAppend[][];
  close?: boolean;
}

export interface WriterReply {
  id: number;
  outcomes?: Outcome[];
  failure?: SerializedError;
  closed?: boolean;
}
