import { Injectable } from '@nestjs/common';
import { AdvancedAlchemyModule, DatabaseStartupError, ImproperConfigurationError } from 'nestjs-advanced-alchemy';
import { startupError } from '../support/boot-app';

// Startup failures of @nestjs/typeorm-shaped registrations: no database is needed to provoke them.

const PASSWORD = 'Pa55-w0rd';

describe('Startup of @nestjs/typeorm-shaped registrations', () => {
  it('tries retryAttempts times, then names the target without its password', async () => {
    const error = await startupError([
      AdvancedAlchemyModule.forRoot({
        type: 'postgres',
        url: `postgresql://app:${PASSWORD}@127.0.0.1:1/app`,
        retryAttempts: 2,
        retryDelay: 10,
      }),
    ]);
    expect(error).toBeInstanceOf(DatabaseStartupError);
    expect(error.message).toContain('bind key "default" (postgres postgresql://app:***@127.0.0.1:1/app)');
    expect(error.message).toContain('(2 attempts)');
    expect(error.message).not.toContain(PASSWORD);
  });

  it('keeps the password given as a field out of the message', async () => {
    const error = await startupError([
      AdvancedAlchemyModule.forRoot({
        type: 'mariadb',
        host: '127.0.0.1',
        port: 1,
        username: 'root',
        password: PASSWORD,
        database: 'app',
      }),
    ]);
    expect(error).toBeInstanceOf(DatabaseStartupError);
    expect(error.message).toContain('mariadb 127.0.0.1:1/app');
    expect(error.message).not.toContain(PASSWORD);
  });

  it('refuses an options factory class with neither factory method, naming it', async () => {
    @Injectable()
    class NotAFactory {}
    const error = await startupError([AdvancedAlchemyModule.forRootAsync({ useClass: NotAFactory as never })]);
    expect(error).toBeInstanceOf(ImproperConfigurationError);
    expect(error.message).toContain('NotAFactory');
    expect(error.message).toContain('createTypeOrmOptions()');
  });

  it('refuses a factory whose config names another bind key than the name outside it', async () => {
    const error = await startupError([
      AdvancedAlchemyModule.forRootAsync({
        name: 'connection_2',
        useFactory: () => ({ type: 'better-sqlite3', database: ':memory:', name: 'other' }),
      }),
    ]);
    expect(error).toBeInstanceOf(ImproperConfigurationError);
    expect(error.message).toContain('returned a configuration named "other"');
  });
});
