import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

/**
 * The read store's checkpointer thread: copies the WAL back into the
 * database file (and fsyncs it) on its own connection, so the event loop
 * that commits the read models never does. PASSIVE never blocks that writer.
 */
const { file, intervalMs } = workerData as { file: string; intervalMs: number };
const db = new Database(file);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort!.postMessage({ failed: (error as Error).message });
  }
}, intervalMs);

parentPort!.on('message', (message: { close?: boolean }) => {
  if (!message.close) return;
  clearInterval(timer);
  db.close();
  parentPort!.close();
});
