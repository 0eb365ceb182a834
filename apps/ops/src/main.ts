import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { loadConfig } from '../../api/src/config/config';
import { OpsModule } from './ops.module';
import { openStores } from '../../api/src/infrastructure/stores';

function fail(error: Error): never {
  process.stderr.write(`ops: ${error.message}\n`);
  process.exit(1);
}

/** `npm run ops -- <command>`: works on the same DATA_DIR or production stores as the service. */
async function main(): Promise<void> {
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env, RUN_PROJECTIONS: 'false', RUN_SAGAS: 'false' });
  const stores = await openStores(config);
  await CommandFactory.run(OpsModule.forConfig(config, stores), {
    logger: ['error', 'warn'],
    errorHandler: (error) => fail(error),
    serviceErrorHandler: (error) => fail(error),
  });
}

main().catch((error: unknown) => fail(error as Error));
