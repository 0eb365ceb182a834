import { parentPort, workerData } from 'node:worker_threads';
import { openWriteConnection, serializeError, SqliteWriter } from './sqlite-writer';

/** The embedded store's writer thread: transactions and their fsyncs happen here, off the event loop. */
const db = openWriteConnection((workerData as { file: string }).file);
const writer = new SqliteWriter(db);

parentPort!.on('message', (message: { id: number; groups?: unknown; close?: boolean }) => {
  if (message.close) {
    db.close();
    parentPort!.postMessage({ id: message.id, closed: true });
    parentPort!.close();
    return;
  }
  try {
    parentPort!.postMessage({ id: message.id, outcomes: writer.writeGroups(message.groups as Parameters<SqliteWriter['writeGroups']>[0]) });
  } catch (error) {
    parentPort!.postMessage({ id: message.id, failure: serializeError(error) });
  }
});
