import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '../../api/src/config/config';
import type { OpenedStores } from '../../api/src/infrastructure/stores';
import { AppModule } from '../../api/src/app.module';
import { ParkedCommand, ParkedListCommand, ParkedRetryCommand, ProjectionsCommand, RebuildCommand, StreamCommand } from './ops.commands';

/** The service's own module without its loops: the CLI shares every provider and store adapter. */
@Module({})
export class OpsModule {
  static forConfig(config: AppConfig, stores: OpenedStores): DynamicModule {
    return {
      module: OpsModule,
      imports: [AppModule.forConfig({ ...config, runProjections: false, runSagas: false }, stores)],
      providers: [ProjectionsCommand, RebuildCommand, StreamCommand, ParkedCommand, ParkedListCommand, ParkedRetryCommand],
    };
  }
}
