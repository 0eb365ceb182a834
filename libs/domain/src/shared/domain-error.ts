/**
 * A broken rule. `code` is api.md's error code; the HTTP layer maps it to a
 * status (422 by default), so the domain stays free of transport concerns.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function fail(code: string, message: string): never {
  throw new DomainError(code, message);
}

/** Codes that are not 422. Everything else a decider throws is a broken business rule. */
export const ERROR_STATUS: Record<string, number> = {
  VALIDATION_FAILED: 400,
  FORBIDDEN: 403,
  STEP_UP_REQUIRED: 403,
  NOT_SUPER_ADMIN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  ALREADY_EXISTS: 409,
};

export function statusOf(code: string): number {
  return ERROR_STATUS[code] ?? 422;
}
