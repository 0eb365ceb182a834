/** Ids of accounts, users, organizations, contacts…: api.md's one shape for all. */
export const ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}
