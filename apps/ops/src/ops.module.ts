import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '../../api/src/config/config';
import { AppModule } from '../../api/src/app.module';
import { ParkedCommand, ParkedListCommand, ParkedRetryCommand, ProjectionsCommand, RebuildCommand, StreamCommand } from './ops.commands';

/** The service's own module without its loops: the CLI shares every provider and store adapter. */
@Module({})
export class OpsModule {
  static forConfig(config: AppConfig): DynamicModule {
    return {
      module: OpsModule,
      imports: [AppModule.forConfig({ ...config, runProjections: false, runSagas: false })],
      providers: [ProjectionsCommand, RebuildCommand, StreamCommand, ParkedCommand, ParkedListCommand, ParkedRetryCommand],
    };
  }
}
