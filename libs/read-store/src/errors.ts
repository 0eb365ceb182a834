/** The read store could not be reached or failed to answer: transient, to be retried, never a reason to skip an event. */
export class ReadStoreUnavailableError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'ReadStoreUnavailableError';
  }
}

/**
 * A commit's checkpoint was not where its writer last left it: another
 * runner of the same projection (a second process) committed in between.
 * Nothing of the commit was applied; the writer resumes from the stored
 * checkpoint, so no event reaches a read model twice.
 */
export class CheckpointMovedError extends Error {
  constructor(
    readonly checkpoint: string,
    readonly expected: bigint | null,
    readonly actual: bigint | null,
  ) {
    super(`checkpoint ${checkpoint} is at ${actual ?? 'the start'}, not ${expected ?? 'the start'}: another runner committed it`);
    this.name = 'CheckpointMovedError';
  }
}

/**
 * A document the store cannot hold (over BSON's 16 MiB on MongoDB). Not
 * transient: the same event gives the same document, so the projection
 * parks the event that produced it instead of stopping on it.
 */
export class DocumentTooLargeError extends Error {
  constructor(
    readonly collection: string,
    readonly id: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`document ${collection}/${id} is ${bytes} bytes, over the store's limit of ${limit}`);
    this.name = 'DocumentTooLargeError';
  }
}
