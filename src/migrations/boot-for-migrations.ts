import type { DynamicModule, INestApplicationContext, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AdvancedAlchemy } from '../core/advanced-alchemy';
import { getDatabaseMigrationPlugin } from '../core/get-database-migration-plugin';
import { duringDatabaseCliBoot } from './cli-boot-flag';

/** The application's root module, as `NestFactory` takes it. */
export type RootModule = Type<unknown> | DynamicModule;

/**
 * Boots the user's application context from its root module — so the bind keys, entities and
 * migration settings are those the application runs with — and returns its `AdvancedAlchemy`.
 * Only errors and warnings are logged; the caller closes the context.
 */
export async function bootForMigrations(
  rootModule: RootModule,
): Promise<{ app: INestApplicationContext; alchemy: AdvancedAlchemy }> {
  const app = await duringDatabaseCliBoot(() =>
    NestFactory.createApplicationContext(rootModule, { logger: ['error', 'warn'], abortOnError: false }),
  );
  try {
    return { app, alchemy: getDatabaseMigrationPlugin(app) };
  } catch (error) {
    await app.close();
    throw error;
  }
}
