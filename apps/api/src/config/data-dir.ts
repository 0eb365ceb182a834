import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from './config';

const reason = (error: unknown) => (error as NodeJS.ErrnoException).code ?? (error as Error).message;

/**
 * Creates DATA_DIR (and missing parents) one level at a time and checks it
 * is a writable directory, failing at once with the reason. The embedded
 * stores' `mkdirSync(…, { recursive: true })` never returns for a path
 * under /proc (Node retries the ENOENT forever), so an unusable DATA_DIR
 * hung start-up without a word.
 */
export function prepareDataDir(dir: string): void {
  const missing: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    try {
      if (!statSync(at).isDirectory()) throw new ConfigError(`DATA_DIR ${dir} cannot be used: ${at} is not a directory`);
      break;
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConfigError(`DATA_DIR ${dir} cannot be used: ${at}: ${reason(error)}`);
      missing.unshift(at);
      if (dirname(at) === at) break;
    }
  }
  for (const at of missing) {
    try {
      mkdirSync(at);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new ConfigError(`DATA_DIR ${dir} cannot be used: cannot create ${at} (${reason(error)})`);
    }
  }
  try {
    accessSync(dir, constants.R_OK | constants.W_OK);
  } catch (error) {
    throw new ConfigError(`DATA_DIR ${dir} cannot be used: not readable and writable (${reason(error)})`);
  }
}

/** Only the embedded stores keep files in DATA_DIR. */
export const usesDataDir = (config: { eventStore: string; readStore: string }): boolean => config.eventStore === 'embedded' || config.readStore === 'embedded';
