import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * Runs the read store's WAL checkpoints on a worker thread. SQLite's
 * automatic checkpoint runs inside whichever commit crosses 1000 WAL pages:
 * on the event loop, a 10–15 ms stall every few hundred commits under a
 * steady stream of updates. If the thread fails, `onFailure` hands the
 * checkpoints back to SQLite (the WAL must never grow unbounded).
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<unknown>;
  private closed = false;

  constructor(file: string, onFailure: (reason: string) => void, intervalMs = 200) {
    // Compiled: the .js beside this file. From TypeScript sources (tests, bench): through @swc-node/register.
    const ext = extname(__filename);
    this.worker = new Worker(join(__dirname, `sqlite-checkpointer.worker${ext}`), {
      workerData: { file, intervalMs },
      execArgv: ext === '.ts' ? ['--require', '@swc-node/register'] : [],
    });
    // Never what keeps the process alive: a checkpoint cut short by an exit is safe in SQLite.
    this.worker.unref();
    this.exited = new Promise((r) => this.worker.once('exit', r));
    let failed = false;
    const fail = (reason: string) => {
      if (failed || this.closed) return;
      failed = true;
      onFailure(reason);
    };
    this.worker.on('message', (m: { failed?: string }) => m.failed && fail(m.failed));
    this.worker.on('error', (e) => fail(e.message));
    this.worker.on('exit', (code) => code !== 0 && fail(`checkpointer exited with ${code}`));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.worker.postMessage({ close: true });
    await this.exited;
  }
}
