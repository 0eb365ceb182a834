import { Presets, SingleBar } from 'cli-progress';

export interface Progress {
  start(total: number): void;
  setTotal(total: number): void;
  update(value: number): void;
  stop(): void;
}

export interface LineProgressOptions {
  write: (line: string) => void;
  now?: () => number;
  everyMs?: number;
}

/**
 * Progress as a line every few seconds, for output that is not a terminal
 * (a log file, CI, `| tee`): a progress bar redraws with control characters
 * there, or — cli-progress's choice — draws nothing at all.
 */
export function lineProgress({ write, now = Date.now, everyMs = 5000 }: LineProgressOptions): Progress {
  let total = 0;
  let value = 0;
  let last = 0;
  const line = () => write(`rebuild: ${total > 0 ? Math.floor((value / total) * 100) : 100}% (${value}/${total} positions)`);
  return {
    start(t) {
      total = t;
      last = now();
      line();
    },
    setTotal(t) {
      total = t;
    },
    update(v) {
      value = v;
      if (now() - last >= everyMs) {
        last = now();
        line();
      }
    },
    stop() {
      value = Math.max(value, total);
      line();
    },
  };
}

/** A bar on a terminal, lines otherwise. */
export function rebuildProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return lineProgress({ write: (l) => void stream.write(`${l}\n`) });
  const bar = new SingleBar({ format: 'rebuild [{bar}] {percentage}% | {value}/{total} positions | {eta_formatted} left', etaBuffer: 50, stream }, Presets.shades_classic);
  return {
    start: (total) => bar.start(total, 0),
    setTotal: (total) => bar.setTotal(total),
    update: (value) => bar.update(value),
    stop: () => bar.stop(),
  };
}
