import 'reflect-metadata';
// First: the HTTP instrumentation must be in place before anything loads `http`.
import { telemetryEnabled } from './telemetry';
import { Logger, type INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AdvancedAlchemy, redactConnectionString } from 'nestjs-advanced-alchemy';
import { AppModule } from './app.module';
import { configureApp } from './configure-app';
import { DOCS_PATH } from './openapi';

/** Express unless HTTP_ADAPTER=fastify: the same module runs on both. */
async function createApp(): Promise<INestApplication> {
  const adapter = (process.env.HTTP_ADAPTER ?? 'express').toLowerCase();
  if (adapter === 'fastify')
    return NestFactory.create<NestFastifyApplication>(AppModule.forRoot(), new FastifyAdapter());
  if (adapter === 'express') return NestFactory.create(AppModule.forRoot());
  throw new Error(`HTTP_ADAPTER must be "express" or "fastify", not "${process.env.HTTP_ADAPTER}".`);
}

async function bootstrap(): Promise<void> {
  const app = await createApp();
  const { swaggerUi } = configureApp(app);
  const port = Number(app.get(ConfigService).get<string>('PORT') ?? 3000);
  await app.listen(port);

  const logger = new Logger('Catalogue');
  for (const config of app.get(AdvancedAlchemy).config) {
    logger.log(
      `Bind key "${config.bindKey}" (${config.commitMode}): ${redactConnectionString(config.connectionString ?? '')}`,
    );
  }
  const url = `http://localhost:${port}`;
  if (telemetryEnabled) logger.log(`OpenTelemetry spans and metrics go to ${process.env.OTEL_EXPORTER_OTLP_ENDPOINT}`);
  logger.log(`Library catalogue on ${app.getHttpAdapter().getType()}, listening on ${url}`);
  logger.log(`  ${url}/books  ${url}/authors  ${url}/loans  ${url}/audit  ${url}/health`);
  logger.log(swaggerUi ? `  API docs: ${url}/${DOCS_PATH}` : `  OpenAPI document: ${url}/${DOCS_PATH}-json`);
}

void bootstrap();
