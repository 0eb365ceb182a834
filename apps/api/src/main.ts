import 'reflect-metadata';
import { ConfigError, loadConfig } from './config/config';
import { createApp } from './app.factory';
import { prepareDataDir, usesDataDir } from './config/data-dir';
import { StoreUnreachableError } from './infrastructure/stores';

async function main(): Promise<void> {
  const config = loadConfig();
  if (usesDataDir(config)) prepareDataDir(config.dataDir);
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  app.get(Logger).log(`listening on http://${config.host}:${config.port} (event store: ${config.eventStore}, read store: ${config.readStore}, data: ${config.dataDir})`);
}

import { Logger } from 'nestjs-pino';

main().catch((error: unknown) => {
  // Expected failures are one line (the store or setting, and why); anything else keeps its stack.
  const message =
    error instanceof ConfigError
      ? `configuration: ${error.message}`
      : error instanceof StoreUnreachableError
        ? error.message
        : (error as Error)?.stack ?? String(error);
  process.stderr.write(`multi-account-management failed to start: ${message}\n`);
  process.exit(1);
});
