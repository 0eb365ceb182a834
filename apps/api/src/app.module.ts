import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from './config/config';
import { createRootLogger } from './http/request-log';
import { StoresModule } from './infrastructure/stores.module';
import type { OpenedStores } from './infrastructure/stores';
import { ProblemFilter } from './http/problem.filter';
import { CommandExecutor } from './commands/command-executor';
import { CommandMetrics, MetricsRegistry, ProjectionMetrics } from './ops/metrics.service';
import { HealthController } from './ops/health.controller';
import { OpsController } from './ops/ops.controller';
import { ProjectionsService } from './projections/projections.service';
import { AccountsController } from './accounts/accounts.controller';
import { AccountCommands } from './accounts/account.commands';
import { OrganizationsController } from './organizations/organizations.controller';
import { OrganizationCommands } from './organizations/organization.commands.service';
import { OrganizationQueries } from './organizations/organization.queries';
import { StepUpVerifier } from './organizations/step-up.verifier';
import { SagasService } from './sagas/sagas.service';
import { CrmController } from './crm/crm.controller';
import { CrmCommands } from './crm/crm.commands';
import { MirroringQueries } from './mirroring/mirroring.queries';
import { ReportsController } from './reports/reports.controller';
import { ReportCommands } from './reports/report.commands';
import { ReportQueries } from './reports/report.queries';
import { AssetsController } from './assets/assets.controller';
import { AssetCommands } from './assets/asset.commands';
import { AssetQueries } from './assets/asset.queries';
import { WorkflowsController } from './workflows/workflows.controller';
import { WorkflowCommands } from './workflows/workflow.commands';
import { WorkflowQueries } from './workflows/workflow.queries';

@Module({})
export class AppModule {
  static forConfig(config: AppConfig, stores: OpenedStores, logger = createRootLogger(config.logLevel)): DynamicModule {
    return {
      module: AppModule,
      imports: [
        StoresModule.forConfig(config, stores),
        TerminusModule.forRoot({ logger: false }),
        // Nest's logger writes through the root pino logger; requests are logged by a Fastify hook (request-log.ts).
        LoggerModule.forRoot({ pinoHttp: { logger }, useExisting: true, forRoutes: [] }),
      ],
      controllers: [HealthController, OpsController, AccountsController, OrganizationsController, CrmController, ReportsController, AssetsController, WorkflowsController],
      providers: [
        { provide: APP_FILTER, useClass: ProblemFilter },
        MetricsRegistry,
        CommandMetrics,
        ProjectionMetrics,
        CommandExecutor,
        ProjectionsService,
        SagasService,
        AccountCommands,
        OrganizationCommands,
        OrganizationQueries,
        StepUpVerifier,
        CrmCommands,
        MirroringQueries,
        ReportCommands,
        ReportQueries,
        AssetCommands,
        AssetQueries,
        WorkflowCommands,
        WorkflowQueries,
      ],
      // The ops CLI runs this module without its loops and uses these directly.
      exports: [ProjectionsService, SagasService, OrganizationCommands],
    };
  }
}
