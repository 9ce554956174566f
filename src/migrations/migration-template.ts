import type { ModuleSystem } from './module-system';

/**
 * The default templates of new migration files. Placeholders: `{{className}}` (the revision), `{{databaseKind}}` (sqlite, postgres, mysql, mariadb),
 * `{{message}}` (the `-m` text), `{{up}}` and `{{down}}` (statements, one per line, indented four
 * spaces). Kept as strings so they ship in the compiled package without file lookups.
 */
export const TYPESCRIPT_MIGRATION_TEMPLATE = `import type { MigrationInterface, QueryRunner } from 'typeorm';

/** {{message}} */
export class {{className}} implements MigrationInterface {
  name = '{{className}}';
  /** The kind of database these statements are written for: another kind refuses to run them. */
  databaseKind = '{{databaseKind}}';

  async up(queryRunner: QueryRunner): Promise<void> {
{{up}}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
{{down}}
  }
}
`;

export const JAVASCRIPT_MIGRATION_TEMPLATE = `'use strict';

/** {{message}} */
class {{className}} {
  name = '{{className}}';
  /** The kind of database these statements are written for: another kind refuses to run them. */
  databaseKind = '{{databaseKind}}';

  /** @param {import('typeorm').QueryRunner} queryRunner */
  async up(queryRunner) {
{{up}}
  }

  /** @param {import('typeorm').QueryRunner} queryRunner */
  async down(queryRunner) {
{{down}}
  }
}

module.exports = { {{className}} };
`;

export const ESM_JAVASCRIPT_MIGRATION_TEMPLATE = `/** {{message}} */
export class {{className}} {
  name = '{{className}}';
  /** The kind of database these statements are written for: another kind refuses to run them. */
  databaseKind = '{{databaseKind}}';

  /** @param {import('typeorm').QueryRunner} queryRunner */
  async up(queryRunner) {
{{up}}
  }

  /** @param {import('typeorm').QueryRunner} queryRunner */
  async down(queryRunner) {
{{down}}
  }
}
`;

/** The language of migration files: TypeScript sources or JavaScript. */
export type MigrationLanguage = 'ts' | 'js';

/** File name `init` writes into a migrations directory; `make-migrations` prefers it to the default. */
export function localTemplateName(language: MigrationLanguage): string {
  return `migration.${language}.template`;
}

/** The library's template; TypeScript's `import`/`export` serve both module systems, JavaScript's differ. */
export function defaultTemplate(language: MigrationLanguage, moduleSystem: ModuleSystem = 'commonjs'): string {
  if (language === 'ts') return TYPESCRIPT_MIGRATION_TEMPLATE;
  return moduleSystem === 'esm' ? ESM_JAVASCRIPT_MIGRATION_TEMPLATE : JAVASCRIPT_MIGRATION_TEMPLATE;
}
