import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import type { AppConfig } from './config/config';
import { AppModule } from './app.module';
import { createValidationPipe } from './http/validation.pipe';
import { refuseUnknownFields } from './http/openapi';
import { clientErrorHandler, frameworkErrors } from './http/framework-errors';
import { registerOverloadGuard } from './http/overload';
import { MetricsRegistry } from './ops/metrics.service';
import { registerBearerAuth } from './http/bearer-auth';
import { createRootLogger, registerRequestLog } from './http/request-log';
import { registerRequestContext } from './http/request-context.hook';
import { registerMinPosition } from './projections/read-your-writes';
import { ProjectionsService } from './projections/projections.service';
import { EVENT_STORE } from '@mam/event-store';
import { closeStores, openStores } from './infrastructure/stores';

export const BODY_LIMIT = 1024 * 1024;

/** The whole service, as `npm start` runs it and as the HTTP tests drive it. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: BODY_LIMIT, genReqId: () => crypto.randomUUID(), frameworkErrors, clientErrorHandler });
  const rootLogger = createRootLogger(config.logLevel);
  const stores = await openStores(config);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forConfig(config, stores, rootLogger), adapter, {
    // Silent means silent, also for Nest's own start-up lines before pino takes over.
    ...(config.logLevel === 'silent' ? { logger: false } : { bufferLogs: true }),
    // Our own JSON parser below: an empty body is {} and bad JSON is a problem+json 400.
    bodyParser: false,
    abortOnError: false,
  }).catch(async (error: unknown) => {
    await closeStores(stores);
    throw error;
  });
  const logger = app.get(Logger);
  app.useLogger(logger);
  for (const warning of config.warnings) logger.warn(warning);
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();

  const fastify = app.getHttpAdapter().getInstance();
  registerRequestLog(fastify, rootLogger);
  registerBearerAuth(fastify, config.apiTokens);
  registerOverloadGuard(fastify, config.maxCommandsInFlight, app.get(MetricsRegistry).registry);
  // Before the handler (and its pipes): read-your-writes waits, then a write's context and idempotency.
  registerMinPosition(fastify, app.get(ProjectionsService));
  registerRequestContext(fastify, app.get(EVENT_STORE));
  // Nest routes Fastify's own errors (bad JSON, too large) through the global ProblemFilter too.
  // An empty body on a JSON route (DELETE, deactivation) is an empty object, not a parse error.
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      const error = Object.assign(new Error('the body is not valid JSON'), { statusCode: 400 });
      done(error, undefined);
    }
  });

  const document = refuseUnknownFields(SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Multi-account management')
      .setDescription('Organizations of CRM accounts: members, connections, mirroring, lifecycle policies.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  ));
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
