import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app.factory';
import { ConfigError, loadConfig } from '../src/config/config';

/** Production stores selected but not there: the service refuses to start, and says why. */
describe('start-up checks', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'mam-startup-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const env = (extra: Record<string, string>) => ({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dir, ...extra });

  it('given EVENT_STORE=kurrentdb without KURRENTDB_URL, then the configuration is refused', () => {
    expect(() => loadConfig(env({ EVENT_STORE: 'kurrentdb' }))).toThrow(ConfigError);
    expect(() => loadConfig(env({ EVENT_STORE: 'kurrentdb' }))).toThrow(/KURRENTDB_URL/);
  });

  it('given READ_STORE=mongodb without MONGODB_URL, then the configuration is refused', () => {
    expect(() => loadConfig(env({ READ_STORE: 'mongodb' }))).toThrow(/MONGODB_URL/);
  });

  it('given an unknown store kind, then the configuration is refused', () => {
    expect(() => loadConfig(env({ EVENT_STORE: 'postgres' }))).toThrow(/EVENT_STORE/);
  });

  it('AC1 one asset copy is capped below KurrentDB\'s 1 MiB append limit, 64 MiB on the embedded store; ASSET_COPY_MAX_BYTES overrides, and must be a positive integer', () => {
    expect(loadConfig(env({})).assetCopyMaxBytes).toBe(64 * 1024 * 1024);
    expect(loadConfig(env({ EVENT_STORE: 'kurrentdb', KURRENTDB_URL: 'kurrentdb://localhost:2113' })).assetCopyMaxBytes).toBeLessThan(1024 * 1024);
    expect(loadConfig(env({ ASSET_COPY_MAX_BYTES: '5000' })).assetCopyMaxBytes).toBe(5000);
    expect(() => loadConfig(env({ ASSET_COPY_MAX_BYTES: 'lots' }))).toThrow(/ASSET_COPY_MAX_BYTES/);
  });

  it('given an unreachable KurrentDB, then start-up fails fast naming it', async () => {
    const started = Date.now();
    await expect(createApp(loadConfig(env({ EVENT_STORE: 'kurrentdb', KURRENTDB_URL: 'kurrentdb://127.0.0.1:1?tls=false' })))).rejects.toThrow(/KurrentDB/);
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 20_000);

  it('given an unreachable MongoDB, then start-up fails fast naming it', async () => {
    await expect(
      createApp(loadConfig(env({ READ_STORE: 'mongodb', MONGODB_URL: 'mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=500' }))),
    ).rejects.toThrow(/MongoDB|127\.0\.0\.1/);
  }, 20_000);
});
