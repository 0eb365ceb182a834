/**
 * Which MongoDB driver errors are outages (a failover, a lost connection):
 * the projection or saga waits them out instead of parking an event. A pure
 * function over the driver's error shape (its name and error labels), tested
 * without a server.
 */
const TRANSIENT_LABELS = ['TransientTransactionError', 'UnknownTransactionCommitResult', 'RetryableWriteError'];
const OUTAGE_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoNotConnectedError',
  'MongoWriteConcernError',
  'MongoOperationTimeoutError',
]);

interface DriverErrorShape {
  name?: unknown;
  errorLabels?: unknown;
  hasErrorLabel?: (label: string) => boolean;
}

export function isMongoOutage(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const e = error as DriverErrorShape;
  if (typeof e.name === 'string' && OUTAGE_NAMES.has(e.name)) return true;
  const labels = Array.isArray(e.errorLabels) ? (e.errorLabels as unknown[]) : [];
  return TRANSIENT_LABELS.some((label) => labels.includes(label) || (typeof e.hasErrorLabel === 'function' && e.hasErrorLabel(label)));
}
