import { MongoInvalidArgumentError, MongoNetworkError, MongoNetworkTimeoutError, MongoServerError, MongoServerSelectionError } from 'mongodb';
import { isMongoOutage } from './mongodb-failures';

/** The driver's own error classes, built as it builds them; no server. */
const serverError = (code: number, codeName: string, labels: string[] = []) => {
  const error = new MongoServerError({ ok: 0, code, codeName, errmsg: codeName, errorLabels: labels });
  return error;
};

describe('isMongoOutage', () => {
  it.each([
    ['a network error', new MongoNetworkError('connection 3 to 10.0.0.2:27017 closed')],
    ['a network timeout', new MongoNetworkTimeoutError('connection timed out')],
    ['no server selectable (failover in progress)', new MongoServerSelectionError('Server selection timed out after 30000 ms', { type: 'ReplicaSetNoPrimary' } as never)],
    ['a write conflict in a transaction (TransientTransactionError)', serverError(112, 'WriteConflict', ['TransientTransactionError'])],
    ['a commit whose result is unknown (UnknownTransactionCommitResult)', serverError(91, 'ShutdownInProgress', ['UnknownTransactionCommitResult'])],
    ['a primary stepping down (RetryableWriteError)', serverError(10107, 'NotWritablePrimary', ['RetryableWriteError'])],
  ])('given %s, then it is an outage: waited out, never parked', (_, error) => {
    expect(isMongoOutage(error)).toBe(true);
  });

  it.each([
    ['a duplicate key', serverError(11000, 'DuplicateKey')],
    ['a bad query', serverError(2, 'BadValue')],
    ['an invalid argument', new MongoInvalidArgumentError('Document is larger than the maximum size 16777216')],
    ['an error of ours', new Error('invalid collection name x y')],
    ['not an error', undefined],
  ])('given %s, then it is not an outage', (_, error) => {
    expect(isMongoOutage(error)).toBe(false);
  });
});
