import type { Type } from '@nestjs/common';
import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import { testDatabaseKinds } from 'nestjs-advanced-alchemy/testing';
import { useModuleApp } from '../support/use-module-app';
import { typeOrmModuleOptions } from '../support/typeorm-module-options';
import { Account } from '../fixtures/nestjs-cls-transactional-app/account.entity';
import { AccountsService } from '../fixtures/nestjs-cls-transactional-app/accounts.service';

/** What @nestjs-cls/transactional promises to test/fixtures/nestjs-cls-transactional-app, read through another connection. */
export function describeClsTransactionalApp(
  label: string,
  createAppModule: (options: TypeOrmModuleOptions) => Type,
): void {
  describe.each(testDatabaseKinds())(`${label}, on %s`, (kind) => {
    const running = useModuleApp(kind, 'cls_app', (database) =>
      createAppModule({ ...typeOrmModuleOptions(database), entities: [Account], synchronize: true }),
    );
    let accounts: AccountsService;
    const stored = (owner: string) => running().probe.count('cls_accounts', 'owner = ?', [owner]);
    beforeAll(() => {
      accounts = running().app.get(AccountsService);
    });

    it('commits a @Transactional() method that resolves, its raw query included', async () => {
      await accounts.open('ok', 10);
      const [row] = await running().probe.query<{ balance: number | string }>(
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
