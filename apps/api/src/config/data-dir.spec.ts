import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config';
import { prepareDataDir } from './data-dir';

describe('DATA_DIR', () => {
  const base = mkdtempSync(join(tmpdir(), 'mam-data-dir-'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('creates a missing directory with its missing parents', () => {
    prepareDataDir(join(base, 'a', 'b', 'c'));
    expect(existsSync(join(base, 'a', 'b', 'c'))).toBe(true);
    prepareDataDir(join(base, 'a', 'b', 'c'));
  });

  it('fails at once with the reason where it cannot be created (under /proc, recursive mkdir never returns)', () => {
    expect(() => prepareDataDir('/proc/nope/data')).toThrow(ConfigError);
    expect(() => prepareDataDir('/proc/nope')).toThrow(/DATA_DIR \/proc\/nope cannot be used: cannot create \/proc\/nope \(ENOENT\)/);
  });

  it('fails when it is a file', () => {
    writeFileSync(join(base, 'file'), 'x');
    expect(() => prepareDataDir(join(base, 'file'))).toThrow(/is not a directory/);
    expect(() => prepareDataDir(join(base, 'file', 'below'))).toThrow(/cannot be used: .*ENOTDIR/);
  });
});
