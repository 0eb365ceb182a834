/** The read store could not be reached or failed to answer: transient, to be retried, never a reason to skip an event. */
export class ReadStoreUnavailableError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'ReadStoreUnavailableError';
  }
}
