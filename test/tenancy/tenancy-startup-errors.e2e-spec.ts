import { Module } from '@nestjs/common';
import {
  AdvancedAlchemyModule,
  ImproperConfigurationError,
  type AdvancedAlchemyModuleOptions,
  type AlchemyConfigOptions,
} from 'nestjs-advanced-alchemy';
import { createTestDatabase, type TestDatabase } from 'nestjs-advanced-alchemy/testing';
import { bootApp } from '../support/boot-app';

// Tenancy that cannot work is refused at startup with a message naming the field and the fix.

describe('tenancy startup errors', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('sqlite', 'tenancy_errors');
  });
  afterAll(() => database?.drop());

  async function boot(config: Partial<AlchemyConfigOptions>, options: AdvancedAlchemyModuleOptions): Promise<unknown> {
    @Module({
      imports: [AdvancedAlchemyModule.forRoot({ connectionString: database.connectionString, ...config }, options)],
    })
    class ErrorModule {}
    return bootApp(ErrorModule).then(
      async (app) => {
        await app.close();
        return undefined;
      },
      (error: unknown) => error,
    );
  }
  const resolve = () => 'acme';

  it.each([
    [
      'a tenant-scoped bind key without the module option',
      { tenancy: { strategy: 'database', connectionString: 'sqlite:///tmp/{tenant}.db' } },
      {},
      /has tenancy, but the application resolves no tenant/,
    ],
    [
      'the schema strategy on SQLite',
      { tenancy: { strategy: 'schema' } },
      { tenancy: { resolve } },
      /SQLite has no schemas/,
    ],
    [
      'a template without {tenant}',
      { tenancy: { strategy: 'database', connectionString: 'sqlite:///tmp/one.db' } },
      { tenancy: { resolve } },
      /connectionString must be a template with \{tenant\}/,
    ],
    [
      'a status that is not 4xx',
      {},
      { tenancy: { resolve, missingStatus: 500 } },
      /tenancy.missingStatus must be a 4xx/,
    ],
    [
      'a resolver that is not a function',
      {},
      { tenancy: { resolve: 'x-tenant' } },
      /tenancy.resolve must be a function/,
    ],
  ] as Array<[string, Partial<AlchemyConfigOptions>, AdvancedAlchemyModuleOptions, RegExp]>)(
    'refuses %s',
    async (_name, config, options, message) => {
      const error = await boot(config, options);
      expect(error).toBeInstanceOf(ImproperConfigurationError);
      expect((error as Error).message).toMatch(message);
    },
  );
});
