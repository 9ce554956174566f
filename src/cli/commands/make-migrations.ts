import { relative } from 'node:path';
import type { Command } from 'commander';
import { migrationWriteTarget } from '../../migrations/migration-settings';
import { writeMigration } from '../../migrations/migration-writer';
import { stampRevisions } from '../../migrations/migration-runner';
import { planUpgrade } from '../../migrations/revision';
import { computeBaselineDiff, computeSchemaDiff, type SchemaDiff } from '../../migrations/schema-diff';
import { renderStatement } from '../../migrations/sql-recorder';
import type { CliContext } from '../cli-context';
import { CliError, EXIT } from '../cli-error';
import { bindKeyOption, languageOptions, migrationFormat, migrationState, type BindKeyOption } from './shared';

interface MakeMigrationsOptions extends BindKeyOption {
  message: string;
  autogenerate: boolean;
  check?: boolean;
  baseline?: boolean;
  js?: boolean;
  ts?: boolean;
  esm?: boolean;
  cjs?: boolean;
}

/**
 * `make-migrations -m MSG`: writes a migration with the statements that bring the database to
 * the entities (TypeORM's `migration:generate`), or an empty one with `--no-autogenerate`. An
 * empty difference writes nothing. `--check` writes nothing and exits 1 when there are changes.
 */
export function registerMakeMigrations(database: Command, context: CliContext): void {
  const command = database
    .command('make-migrations')
    .description('write a new migration from the difference between the entities and the database')
    .requiredOption('-m, --message <message>', 'what the migration does (names its class and file)')
    .option('--no-autogenerate', 'write an empty migration to fill in by hand')
    .option('--check', 'write nothing; exit 1 when the entities have changes no migration holds')
    .option(
      '--baseline',
      'start migrations from tables that already exist (createAll): write a migration that creates them all, ' +
        'recorded as applied to this database',
    );
  languageOptions(bindKeyOption(command, false)).action(async (options: MakeMigrationsOptions) => {
    if (options.baseline && (options.check || !options.autogenerate)) {
      throw new CliError(
        '--baseline writes the statements that create every table: drop --check and --no-autogenerate.',
        EXIT.usage,
      );
    }
    if (options.check && !options.autogenerate) {
      throw new CliError('--check compares the entities with the database: drop --no-autogenerate.', EXIT.usage);
    }
    const [bind] = await context.binds(options.bindKey, false);
    const target = migrationWriteTarget(bind.settings);
    const format = migrationFormat(options, target.directory, target.layout);
    let diff: SchemaDiff = { up: [], down: [] };
    if (options.baseline) {
      diff = await context.forBind(bind, async () => {
        const { available, applied } = await migrationState(context, bind);
        if (available.length > 0 || applied.length > 0) {
          throw new CliError(
            `Bind key "${bind.bindKey}" already has migrations (${[...new Set([...available, ...applied.map((a) => a.name)])].join(', ')}): ` +
              'a baseline starts migrations on a database that has none. Run make-migrations without --baseline.',
            EXIT.usage,
          );
        }
        return computeBaselineDiff(bind.dataSource);
      });
    } else if (options.autogenerate) {
      let startedWithoutMigrations = false;
      diff = await context.forBind(bind, async () => {
        const { available, applied } = await migrationState(context, bind);
        const pending = planUpgrade('head', available, applied, bind.bindKey);
        if (pending.length > 0) {
          throw new CliError(
            `Bind key "${bind.bindKey}": the database is not up to date (pending: ${pending.join(', ')}). ` +
              'Run upgrade first, so the new migration holds only the new changes.',
          );
        }
        startedWithoutMigrations = available.length === 0 && applied.length === 0;
        return computeSchemaDiff(bind.dataSource);
      });
      if (diff.up.length === 0) {
        if (startedWithoutMigrations && bind.dataSource.entityMetadatas.length > 0) {
          const keyFlag = options.bindKey === undefined ? '' : ` --bind-key ${bind.bindKey}`;
          context.say(
            `[${bind.bindKey}] The tables of the entities already exist (createAll made them, or another tool) and no ` +
              'migration records them: there is no change to write. To start migrations from these tables, run ' +
              `make-migrations --baseline -m "initial"${keyFlag}: it writes a migration that creates them ` +
              '(for a new, empty database) and records it as applied here. Then drop createAll.',
          );
          return;
        }
        context.say(`[${bind.bindKey}] No changes in the database schema were found: no migration written.`);
        return;
      }
      if (options.check) {
        context.say(`[${bind.bindKey}] The entities have changes no migration holds:`);
        diff.up.forEach((statement) => context.say(`  ${renderStatement(statement)}`));
        throw new CliError(`Bind key "${bind.bindKey}": ${diff.up.length} schema change(s) need a migration.`);
      }
    }
    const { file, revision } = writeMigration({
      bindKey: bind.bindKey,
      directory: target.directory,
      message: options.message,
      language: format.language,
      moduleSystem: format.moduleSystem,
      extension: format.extension,
      up: diff.up,
      down: diff.down,
      templatePath: bind.settings.templatePath,
      databaseKind: bind.settings.databaseKind,
    });
    context.say(
      `[${bind.bindKey}] Generated ${relative(process.cwd(), file)} (revision ${revision}, ${diff.up.length} statement(s)).`,
    );
    if (options.baseline) {
      // The tables are there already: record the baseline as applied, so upgrade does not create them again.
      await context.forBind(bind, async () => {
        const executor = await context.executor(bind, false);
        const runner = bind.dataSource.createQueryRunner();
        try {
          await stampRevisions(executor, runner, { record: [revision], forget: [] });
        } finally {
          await runner.release();
        }
      });
      context.say(`[${bind.bindKey}] Recorded ${revision} as applied to this database: its tables already exist.`);
    }
  });
}
