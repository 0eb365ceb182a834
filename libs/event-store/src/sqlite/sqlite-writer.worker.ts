import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { openWriteConnection, serializeError, SqliteWriter } from './sqlite-writer';
import type { PackedAppend } from './packed-append';
import { REQUESTS, type WriterRequest } from './writer-channel';

/**
 * The embedded store's writer thread: transactions and their fsyncs happen
 * here, off the event loop. It sleeps in Atomics.wait on the request counter
 * and takes requests from its port synchronously: a futex wake-up, without
 * a turn of this thread's event loop per request (a lone append waits for
 * that wake-up twice, there and back, besides its fsync).
 */
const { file, port, signal } = workerData as { file: string; port: MessagePort; signal: SharedArrayBuffer };
const requests = new Int32Array(signal);
const db = openWriteConnection(file);
const writer = new SqliteWriter(db);

function handle(message: WriterRequest): boolean {
  if (message.close) {
    db.close();
    port.postMessage({ id: message.id, closed: true });
    port.close();
    return false;
  }
  try {
    port.postMessage({ id: message.id, outcomes: writer.writeGroups(message.groups as PackedAppend[][]) });
  } catch (error) {
    port.postMessage({ id: message.id, failure: serializeError(error) });
  }
  return true;
}

/**
 * How long the thread polls for the next request before it sleeps, when the
 * last one came that soon after a reply (a caller appending one after
 * another): on a quiet VM, waking a sleeping thread costs ~100 µs, about what
 * the whole commit costs besides its fsync. A caller whose next request came
 * later gets no polling until one comes that soon again: CPU is spent only
 * where it buys latency.
 */
const POLL_MS = 0.2;
let poll = false;

let open = true;
while (open) {
  // Read the counter before draining the port: a request posted after the drain has bumped it, so the wait returns at once.
  const seen = Atomics.load(requests, REQUESTS);
  let m: ReturnType<typeof receiveMessageOnPort>;
  while (open && (m = receiveMessageOnPort(port))) open = handle(m.message as WriterRequest);
  if (!open) break;
  const replied = performance.now();
  if (poll) while (Atomics.load(requests, REQUESTS) === seen && performance.now() - replied < POLL_MS);
  Atomics.wait(requests, REQUESTS, seen);
  poll = performance.now() - replied < POLL_MS;
}
