import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import { defaultTemplate, localTemplateName, type MigrationLanguage } from './migration-template';
import type { ModuleSystem } from './module-system';
import type { RecordedStatement } from './sql-recorder';

/** What `make-migrations` writes. */
export interface NewMigration {
  bindKey: string;
  /** The bind key's migrations directory (created when missing). */
  directory: string;
  message: string;
  language: MigrationLanguage;
  /** Module system of the file (default CommonJS); matters for JavaScript. */
  moduleSystem?: ModuleSystem;
  /** File extension without the dot (default: `language`); `mjs`/`cts`… where the directory's own differs. */
  extension?: string;
  up: readonly RecordedStatement[];
  down: readonly RecordedStatement[];
  /** `migrationConfig.templatePath`, which wins over the directory's own template and the default. */
  templatePath?: string;
  /** The kind of database the statements are for, recorded in the file (`databaseKind`). */
  databaseKind?: string;
  /** The timestamp to use; default now, and always after the newest file already in the directory. */
  now?: number;
}

const EMPTY_BODY = '    // Nothing to do: write the statements of this migration here.';

/** Writes a new migration file and returns its path and revision (the class name). */
export function writeMigration(migration: NewMigration): { file: string; revision: string } {
  mkdirSync(migration.directory, { recursive: true });
  const timestamp = nextTimestamp(migration.directory, migration.now ?? Date.now());
  const revision = `${classNameOf(migration.message)}${timestamp}`;
  const file = join(
    migration.directory,
    `${timestamp}-${slugOf(migration.message)}.${migration.extension ?? migration.language}`,
  );
  const content = renderTemplate(templateFor(migration), {
    className: revision,
    databaseKind: migration.databaseKind ?? '',
    message: migration.message.replace(/\*\//g, '*\\/').replace(/\s+/g, ' ').trim(),
    up: statementLines(migration.up),
    down: statementLines(migration.down),
  });
  writeFileSync(file, content);
  return { file, revision };
}

/** Fills `{{name}}` placeholders. */
export function renderTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (match, name: string) => values[name] ?? match);
}

/** `add books table` → `AddBooksTable`; a name that would start with a digit gets a `Migration` prefix. */
export function classNameOf(message: string): string {
  const words = message.match(/[A-Za-z0-9]+/g) ?? [];
  const name = words.map((word) => word[0].toUpperCase() + word.slice(1)).join('');
  return name === '' || /^\d/.test(name) ? `Migration${name}` : name;
}

function slugOf(message: string): string {
  return (message.match(/[A-Za-z0-9]+/g) ?? ['migration']).join('-').toLowerCase().slice(0, 60) || 'migration';
}

/** A statement as a line of the migration: a template literal, as TypeORM's `migration:generate` writes it. */
function statementLines(statements: readonly RecordedStatement[]): string {
  if (statements.length === 0) return EMPTY_BODY;
  return statements
    .map((statement) => {
      const sql = statement.sql.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
      const parameters = statement.parameters?.length ? `, ${JSON.stringify(statement.parameters)}` : '';
      return `    await queryRunner.query(\`${sql}\`${parameters});`;
    })
    .join('\n');
}

function templateFor(migration: NewMigration): string {
  const local = join(migration.directory, localTemplateName(migration.language));
  const path = migration.templatePath ?? (existsSync(local) ? local : undefined);
  if (path === undefined) return defaultTemplate(migration.language, migration.moduleSystem);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ImproperConfigurationError(
      `Bind key "${migration.bindKey}": cannot read the migration template ${path}: ${(error as Error).message}`,
    );
  }
}

/** Now, or one millisecond after the newest `<timestamp>-…` file, so the new revision sorts last. */
function nextTimestamp(directory: string, now: number): number {
  const newest = readdirSync(directory)
    .map((name) => /^(\d{13})-/.exec(name))
    .reduce((max, match) => (match ? Math.max(max, Number(match[1])) : max), 0);
  return Math.max(now, newest + 1);
}
