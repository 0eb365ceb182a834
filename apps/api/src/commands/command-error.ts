/**
 * The command pipeline's own refusals (CONFLICT after the re-decides ran
 * out, IDEMPOTENCY_KEY_REUSED): api.md's code and a detail, no transport.
 * Sagas and process managers run the pipeline without any request; the HTTP
 * edge maps these to problem+json like a DomainError (status by code).
 */
export class CommandError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CommandError';
  }
}
