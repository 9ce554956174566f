import type { INestApplication, Type } from '@nestjs/common';
import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import {
  createTestDatabase,
  openProbe,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabase,
} from 'nestjs-advanced-alchemy/testing';
import { bootApp } from '../support/boot-app';
import { typeOrmModuleOptions } from '../support/typeorm-module-options';
import { Account } from '../fixtures/nestjs-cls-transactional-app/account.entity';
import { AccountsService } from '../fixtures/nestjs-cls-transactional-app/accounts.service';

/** What @nestjs-cls/transactional promises to test/fixtures/nestjs-cls-transactional-app, read through another connection. */
export function describeClsTransactionalApp(
  label: string,
  createAppModule: (options: TypeOrmModuleOptions) => Type,
): void {
  describe.each(testDatabaseKinds())(`${label}, on %s`, (kind) => {
    let database: TestDatabase;
    let app: INestApplication;
    let probe: DatabaseProbe;
    let accounts: AccountsService;
    const stored = (owner: string) => probe.count('cls_accounts', 'owner = ?', [owner]);

    beforeAll(async () => {
      database = await createTestDatabase(kind, 'cls_app');
      app = await bootApp(
        createAppModule({ ...typeOrmModuleOptions(database), entities: [Account], synchronize: true }),
      );
      probe = await openProbe(database.connectionString);
      accounts = app.get(AccountsService);
    });
    afterAll(async () => {
      await probe?.close();
      await app?.close();
      await database?.drop();
    });

    it('commits a @Transactional() method that resolves, its raw query included', async () => {
      await accounts.open('ok', 10);
      const [row] = await probe.query<{ balance: number | string }>(
        'SELECT balance FROM cls_accounts WHERE owner = ?',
        ['ok'],
      );
      expect(Number(row.balance)).toBe(11);
    });

    it('rolls back a @Transactional() method that throws', async () => {
      await expect(accounts.open('failed', 10, true)).rejects.toThrow('refused failed');
      expect(await stored('failed')).toBe(0);
    });

    (kind === 'sqlite' ? it.skip : it)(
      'keeps withTransaction(Propagation.RequiresNew) when the caller fails',
      async () => {
        await expect(accounts.openAuditedThenFail('audited')).rejects.toThrow();
        expect(await stored('audited')).toBe(0);
        expect(await stored('audit-audited')).toBe(1);
      },
    );

    it('withTransaction: all or nothing', async () => {
      await expect(accounts.openPair('pair-failed', true)).rejects.toThrow();
      expect(await stored('pair-failed-1')).toBe(0);
      await accounts.openPair('pair-ok', false);
      expect(await stored('pair-ok-2')).toBe(1);
    });

    it('isTransactionActive() inside a @Transactional() method', async () => {
      await expect(accounts.activeInside()).resolves.toBe(true);
    });
  });
}
