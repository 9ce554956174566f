/** The seed's `alembic_config`: where a bind key's migrations live and how they are recorded. */
export interface MigrationConfig {
  /**
   * Directory of this bind key's migration files, relative to the directory the command runs in.
   * Default: in a TypeScript project (tsconfig.json there), `<sourceRoot>/migrations/<bindKey>`
   * (`src/migrations/default`) on the sources and its compiled counterpart (`dist/migrations/default`)
   * on the build; elsewhere `migrations/<bindKey>`.
   */
  scriptLocation?: string;
  /** Table that records applied migrations. Default: `migrations` (TypeORM's, so its CLI sees the same history). */
  versionTableName?: string;
  /** Schema of that table (PostgreSQL). Default: the connection's schema. */
  versionTableSchema?: string;
  /** Template for new migration files. Default: the library's own. */
  templatePath?: string;
  /** Run pending migrations when the application starts. Default: `false`. */
  runOnStartup?: boolean;
}
