import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { loadConfig } from '../../api/src/config/config';
import { OpsModule } from './ops.module';

function fail(error: Error): never {
  process.stderr.write(`ops: ${error.message}\n`);
  process.exit(1);
}

/** `npm run ops -- <command>`: works on the same DATA_DIR or production stores as the service. */
async function main(): Promise<void> {
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
  await CommandFactory.run(OpsModule.forConfig(config), {
    logger: ['error', 'warn'],
    errorHandler: (error) => fail(error),
    serviceErrorHandler: (error) => fail(error),
  });
}

void main();
