import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { redactConnectionString } from 'nestjs-advanced-alchemy';
import { AppModule, DEFAULT_DATABASE_URL } from './app.module';
import { configureApp } from './configure-app';

/** SQLite creates its file but not the directory around it: make that directory (./data by default). */
function ensureSqliteDirectory(connectionString: string): void {
  const match = /^sqlite(\+[a-z0-9_]+)?:\/\/(.*)$/i.exec(connectionString);
  if (!match) return;
  const path = match[2].startsWith('/') ? match[2].slice(1) : match[2];
  if (path === '' || path === ':memory:') return;
  mkdirSync(dirname(resolve(path)), { recursive: true });
}

async function bootstrap(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  ensureSqliteDirectory(databaseUrl);
  const app = configureApp(await NestFactory.create(AppModule.forRoot(databaseUrl)));
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port);
  const logger = new Logger('Sample');
  logger.log(`Database: ${redactConnectionString(databaseUrl)}`);
  logger.log(`Books API listening on http://localhost:${port}/books`);
}

void bootstrap();
