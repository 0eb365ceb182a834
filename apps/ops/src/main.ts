import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { loadConfig } from '../../api/src/config/config';
import { prepareDataDir, usesDataDir } from '../../api/src/config/data-dir';
import { OpsModule } from './ops.module';
import { openStores } from '../../api/src/infrastructure/stores';

/** Commander's own outcomes (help shown, unknown command) carry an exit code and were already printed. */
interface CommanderOutcome {
  code: string;
  exitCode: number;
}
const isCommanderOutcome = (error: unknown): error is CommanderOutcome =>
  typeof (error as CommanderOutcome)?.code === 'string' && (error as CommanderOutcome).code.startsWith('commander.') && typeof (error as CommanderOutcome).exitCode === 'number';

function fail(error: Error): never {
  if (isCommanderOutcome(error)) process.exit(error.exitCode);
  process.stderr.write(`ops: ${error.message}\n`);
  process.exit(1);
}

/** `npm run ops -- <command>`: works on the same DATA_DIR or production stores as the service. */
async function main(): Promise<void> {
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env, RUN_PROJECTIONS: 'false', RUN_SAGAS: 'false' });
  if (usesDataDir(config)) prepareDataDir(config.dataDir);
  const stores = await openStores(config);
  await CommandFactory.run(OpsModule.forConfig(config, stores), {
    cliName: 'ops',
    logger: ['error', 'warn'],
    errorHandler: (error) => fail(error),
    serviceErrorHandler: (error) => fail(error),
  });
}

main().catch((error: unknown) => fail(error as Error));
