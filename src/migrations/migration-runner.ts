import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { BindMigrationExecutor } from './bind-migration-executor';
import { MigrationError } from './migration-error';

/** Reported before each migration runs, for progress output. */
export interface MigrationStep {
  name: string;
  direction: 'up' | 'down';
  /** 1-based position in this run, and the number of migrations in it. */
  position: number;
  total: number;
}

export type StepListener = (step: MigrationStep) => void;

/**
 * Applies the named migrations in order, each in its own transaction with its version-table row
 * (unless the migration sets `transaction = false`), so a failure leaves the database at the
 * last migration that succeeded. Works on a real or a recording query runner.
 */
export function upgradeMigrations(
  executor: BindMigrationExecutor,
  runner: QueryRunner,
  names: readonly string[],
  onStep: StepListener = () => undefined,
): Promise<void> {
  return runMigrations(executor, runner, names, 'up', onStep);
}

/** Reverts the named migrations in the order given (most recent first), each with its version-table row. */
export function downgradeMigrations(
  executor: BindMigrationExecutor,
  runner: QueryRunner,
  names: readonly string[],
  onStep: StepListener = () => undefined,
): Promise<void> {
  return runMigrations(executor, runner, names, 'down', onStep);
}

/** Runs each migration one way, recording (up) or forgetting (down) its version-table row with it. */
async function runMigrations(
  executor: BindMigrationExecutor,
  runner: QueryRunner,
  names: readonly string[],
  direction: 'up' | 'down',
  onStep: StepListener,
): Promise<void> {
  await executor.prepare(runner);
  for (const [index, name] of names.entries()) {
    onStep({ name, direction, position: index + 1, total: names.length });
    const migration = executor.find(name);
    if (!migration) throw missing(executor, name, direction === 'up' ? 'apply' : 'revert');
    const bookkeeping = direction === 'up' ? () => executor.record(runner, name) : () => executor.forget(runner, name);
    await runInTransaction(executor, runner, migration.instance, name, direction, bookkeeping);
  }
}

/** Rewrites the version table, in one transaction, without running any migration. */
export async function stampRevisions(
  executor: BindMigrationExecutor,
  runner: QueryRunner,
  change: { record: readonly string[]; forget: readonly string[] },
): Promise<void> {
  await executor.prepare(runner);
  await runner.startTransaction();
  try {
    for (const name of change.forget) await executor.forget(runner, name);
    for (const name of change.record) await executor.record(runner, name);
    await runner.commitTransaction();
  } catch (error) {
    await runner.rollbackTransaction().catch(() => undefined);
    throw new MigrationError(`Bind key "${executor.settings.bindKey}": stamp failed: ${messageOf(error)}`, {
      cause: error,
    });
  }
}

async function runInTransaction(
  executor: BindMigrationExecutor,
  runner: QueryRunner,
  migration: MigrationInterface,
  name: string,
  direction: 'up' | 'down',
  bookkeeping: () => Promise<void>,
): Promise<void> {
  const transactional = migration.transaction !== false;
  await runner.beforeMigration();
  try {
    if (transactional) await runner.startTransaction();
    await migration[direction](runner);
    await bookkeeping();
    if (transactional) await runner.commitTransaction();
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    const verb = direction === 'up' ? 'applying' : 'reverting';
    throw new MigrationError(
      `Bind key "${executor.settings.bindKey}": ${verb} migration ${name} failed: ${messageOf(error)}`,
      { cause: error },
    );
  } finally {
    await runner.afterMigration();
  }
}

function missing(executor: BindMigrationExecutor, name: string, verb: string): MigrationError {
  return new MigrationError(
    `Bind key "${executor.settings.bindKey}": cannot ${verb} migration ${name}: ` +
      `no migration file in ${executor.settings.scriptLocation} defines it.`,
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
