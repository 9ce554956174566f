import { relative } from 'node:path';
import type { Command } from 'commander';
import { migrationWriteTarget } from '../../migrations/migration-settings';
import { writeMigration } from '../../migrations/migration-writer';
import { planUpgrade } from '../../migrations/revision';
import { computeSchemaDiff, type SchemaDiff } from '../../migrations/schema-diff';
import { renderStatement } from '../../migrations/sql-recorder';
import type { CliContext } from '../cli-context';
import { CliError, EXIT } from '../cli-error';
import { bindKeyOption, languageOptions, migrationFormat, migrationState, type BindKeyOption } from './shared';

interface MakeMigrationsOptions extends BindKeyOption {
  message: string;
  autogenerate: boolean;
  check?: boolean;
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
    .option('--check', 'write nothing; exit 1 when the entities have changes no migration holds');
  languageOptions(bindKeyOption(command, false)).action(async (options: MakeMigrationsOptions) => {
    if (options.check && !options.autogenerate) {
      throw new CliError('--check compares the entities with the database: drop --no-autogenerate.', EXIT.usage);
    }
    const [bind] = await context.binds(options.bindKey, false);
    const target = migrationWriteTarget(bind.settings);
    const format = migrationFormat(options, target.directory, target.layout);
    let diff: SchemaDiff = { up: [], down: [] };
    if (options.autogenerate) {
      diff = await context.forBind(bind, async () => {
        const { available, applied } = await migrationState(context, bind);
        const pending = planUpgrade('head', available, applied, bind.bindKey);
        if (pending.length > 0) {
          throw new CliError(
            `Bind key "${bind.bindKey}": the database is not up to date (pending: ${pending.join(', ')}). ` +
              'Run upgrade first, so the new migration holds only the new changes.',
          );
        }
        return computeSchemaDiff(bind.dataSource);
      });
      if (diff.up.length === 0) {
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
    });
    context.say(
      `[${bind.bindKey}] Generated ${relative(process.cwd(), file)} (revision ${revision}, ${diff.up.length} statement(s)).`,
    );
  });
}
