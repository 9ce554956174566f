import { Logger, Module, type BeforeApplicationShutdown, type DynamicModule } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { join } from 'node:path';
import {
  AdvancedAlchemyModule,
  type AlchemyConfigOptions,
  type MigrationConfig,
  type TenancyOptions,
} from 'nestjs-advanced-alchemy';
import { AuditEntry } from './audit/audit-entry.entity';
import { AuditModule } from './audit/audit.module';
import { AUDIT } from './audit/audit.service';
import { Author } from './authors/author.entity';
import { AuthorsModule } from './authors/authors.module';
import { Book } from './books/book.entity';
import { BooksModule } from './books/books.module';
import { databaseKind, DEFAULT_AUDIT_DATABASE_URL, DEFAULT_DATABASE_URL, ensureSqliteDirectory } from './database-urls';
import { HealthModule } from './health/health.module';
import { Loan } from './loans/loan.entity';
import { LoansModule } from './loans/loans.module';
import { SeedModule } from './seed/seed.module';

export interface CatalogueOptions {
  /** The catalogue's database; default: the DATABASE_URL variable, else `sqlite:///data/catalogue.db`. */
  databaseUrl?: string;
  /** The audit log's database; default: the AUDIT_DATABASE_URL variable, else `sqlite:///data/audit.db`. */
  auditDatabaseUrl?: string;
  /** Add a few authors and books at startup when the catalogue is empty. Default true. */
  seed?: boolean;
  /**
   * A header naming the tenant of each request (e.g. `x-tenant`): the catalogue then works in that
   * tenant's schema (PostgreSQL) or database (MariaDB), made with `db tenant create <id>`; a request
   * without it is answered 400. Default: the TENANT_HEADER variable, else off (one catalogue).
   */
  tenantHeader?: string;
}

/** The module's tenancy option for a tenant header, or undefined when the sample runs without tenants. */
function tenancyFor(header: string | undefined): TenancyOptions | undefined {
  if (!header) return undefined;
  const name = header.toLowerCase();
  return {
    resolve: (source) => {
      if (source.kind !== 'http') return undefined;
      const value = source.request.headers[name];
      return typeof value === 'string' ? value : undefined;
    },
  };
}

/**
 * The library catalogue. Two bind keys, each a database of its own:
 * - `default`: authors, books and loans, in `autocommit` mode: a request's changes are committed
 *   when its response is a 2xx and rolled back otherwise, before the client gets the response;
 * - `audit`: the audit log, in `manual` mode: the module never commits it, `AuditService` does.
 *
 * `main.ts` calls `AppModule.forRoot()` (connection strings from the environment); the e2e tests
 * pass databases of their own.
 */
/**
 * The checked-in migrations of a bind key, one set per kind of database (SQL differs between them),
 * applied when the application starts. From the compiled app, __dirname is the compiled folder.
 */
function migrationsOf(bindKey: string, connectionString: string): MigrationConfig {
  return {
    scriptLocation: join(__dirname, 'migrations', databaseKind(connectionString), bindKey),
    runOnStartup: true,
  };
}

@Module({})
export class AppModule implements BeforeApplicationShutdown {
  static forRoot(options: CatalogueOptions = {}): DynamicModule {
    const tenancy = tenancyFor(options.tenantHeader ?? process.env.TENANT_HEADER);
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true }), // process.env, and a .env file if there is one
        AdvancedAlchemyModule.forRootAsync({
          // Spans and metrics when main.ts set up OpenTelemetry (OTEL_EXPORTER_OTLP_ENDPOINT, see telemetry.ts).
          telemetry: Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT),
          tenancy,
          inject: [ConfigService],
          useFactory: (config: ConfigService): AlchemyConfigOptions[] => {
            const databaseUrl = options.databaseUrl ?? (config.get<string>('DATABASE_URL') || DEFAULT_DATABASE_URL);
            const auditUrl =
              options.auditDatabaseUrl ?? (config.get<string>('AUDIT_DATABASE_URL') || DEFAULT_AUDIT_DATABASE_URL);
            ensureSqliteDirectory(databaseUrl);
            ensureSqliteDirectory(auditUrl);
            return [
              // Declared first: at the end of a request the `default` session is ended before `audit`.
              {
                connectionString: databaseUrl,
                entities: [Author, Book, Loan],
                commitMode: 'autocommit',
                migrationConfig: migrationsOf('default', databaseUrl),
                // With a tenant header: each tenant's catalogue in a schema (or database) of its own.
                ...(tenancy ? { tenancy: { strategy: 'schema' as const } } : {}),
              },
              {
                bindKey: AUDIT,
                connectionString: auditUrl,
                entities: [AuditEntry],
                commitMode: 'manual',
                migrationConfig: migrationsOf(AUDIT, auditUrl),
              },
            ];
          },
        }),
        AuditModule,
        AuthorsModule,
        BooksModule,
        LoansModule,
        HealthModule,
        // Seeding needs a tenant when the catalogue is per tenant: off then, unless asked for.
        SeedModule.forRoot(options.seed ?? !tenancy),
      ],
    };
  }

  /**
   * On SIGTERM/SIGINT (enableShutdownHooks), before the modules shut down: the library's module then
   * refuses new sessions (503), gives the sessions of requests in flight up to 10 s to end, and
   * closes the databases.
   */
  beforeApplicationShutdown(signal?: string): void {
    if (signal) new Logger('Catalogue').log(`${signal}: shutting down.`);
  }
}
