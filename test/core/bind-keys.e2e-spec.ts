import { Controller, Get, Injectable, Param, Post } from '@nestjs/common';
import request from 'supertest';
import { Column, DataSource, Entity, PrimaryGeneratedColumn } from 'typeorm';
import {
  AdvancedAlchemy,
  ImproperConfigurationError,
  InjectDataSource,
  InjectSession,
  type Session,
} from 'nestjs-advanced-alchemy';
import {
  testDatabaseKinds,
  useTestApp,
  type TestBindConfig,
  type TestDatabaseKind,
} from 'nestjs-advanced-alchemy/testing';
import { poolOf, watchBind, type BindActivity, type PgPool } from './fixtures/watch-bind';

@Entity('bk_orders')
class Order {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 60 }) ref!: string;
}

@Entity('bk_audit_entries')
class AuditEntry {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 60 }) ref!: string;
}

@Injectable()
class OrdersService {
  constructor(
    @InjectSession() private readonly orders: Session,
    @InjectSession('audit') private readonly audit: Session,
  ) {}
  place(ref: string) {
    return this.orders.getRepository(Order).save({ ref });
  }
  record(ref: string) {
    return this.audit.getRepository(AuditEntry).save({ ref });
  }
}

/** Holds whatever `@InjectDataSource('audit')` gave it. */
@Injectable()
class AuditDataSourceHolder {
  constructor(@InjectDataSource('audit') readonly dataSource: DataSource) {}
}

@Controller('orders')
class OrdersController {
  constructor(
    private readonly orders: OrdersService,
    private readonly alchemy: AdvancedAlchemy,
  ) {}

  @Post(':ref') async placeAndAudit(@Param('ref') ref: string) {
    await this.orders.place(ref);
    await this.orders.record(ref);
    return { ok: true };
  }

  @Post(':ref/fail') async placeAuditAndFail(@Param('ref') ref: string) {
    await this.orders.place(ref);
    await this.orders.record(ref);
    throw new Error('failed after writing to both bind keys');
  }

  /** Touches only the default bind key. */
  @Post(':ref/quiet') async placeOnly(@Param('ref') ref: string) {
    await this.orders.place(ref);
    return { ok: true };
  }

  @Get('unknown-bind-key') unknownBindKey() {
    try {
      this.alchemy.getSession('nope');
      return { thrown: false };
    } catch (error) {
      return {
        thrown: true,
        isImproperConfiguration: error instanceof ImproperConfigurationError,
        message: (error as Error).message,
      };
    }
  }
}

/** 'default' with orders on `kind`, 'audit' with audit entries (on `kind` unless `auditKind` says otherwise). */
function useBindKeysApp(kind: TestDatabaseKind, auditKind: TestDatabaseKind, audit: TestBindConfig = {}) {
  return useTestApp({
    kind,
    label: 'bind_keys',
    bindKeys: ['default', 'audit'],
    bindKeyKinds: { audit: auditKind },
    config: (bindKey) => (bindKey === 'audit' ? { entities: [AuditEntry], ...audit } : { entities: [Order] }),
    controllers: [OrdersController],
    providers: [OrdersService, AuditDataSourceHolder],
  });
}

describe.each(testDatabaseKinds())('bind keys with default on %s', (kind) => {
  describe('and audit on a separate SQLite file', () => {
    const testApp = useBindKeysApp(kind, 'sqlite');
    let auditActivity: BindActivity;
    beforeAll(() => {
      auditActivity = watchBind(testApp.dataSource('audit'));
    });

    it('commits both bind keys used in one request', async () => {
      await request(testApp.url).post('/orders/both-1').expect(201);
      expect(await testApp.probe.count('bk_orders', 'ref = ?', ['both-1'])).toBe(1);
      expect(await testApp.probes.audit.count('bk_audit_entries', 'ref = ?', ['both-1'])).toBe(1);
    });

    it('rolls back both bind keys when the request fails', async () => {
      await request(testApp.url).post('/orders/both-2/fail').expect(500);
      expect(await testApp.probe.count('bk_orders', 'ref = ?', ['both-2'])).toBe(0);
      expect(await testApp.probes.audit.count('bk_audit_entries', 'ref = ?', ['both-2'])).toBe(0);
    });

    it('opens no audit session in a request that uses only the default bind key', async () => {
      auditActivity.reset();
      await request(testApp.url).post('/orders/quiet-1/quiet').expect(201);
      expect(await testApp.probe.count('bk_orders', 'ref = ?', ['quiet-1'])).toBe(1);
      expect({ runners: auditActivity.runners, statements: auditActivity.statements }).toEqual({
        runners: 0,
        statements: 0,
      });
      // The same counters do see a request that uses the audit bind key.
      await request(testApp.url).post('/orders/loud-1').expect(201);
      expect(auditActivity.runners).toBe(1);
      expect(auditActivity.statements).toBeGreaterThan(0);
    });

    it("injects the audit bind key's DataSource with @InjectDataSource('audit')", () => {
      const injected = testApp.app.get(AuditDataSourceHolder).dataSource;
      // The injected DataSource is the bind key's own, seen session-bound (docs/nestjs-typeorm.md).
      expect(injected.driver).toBe(testApp.dataSource('audit').driver);
      expect(injected.driver).not.toBe(testApp.dataSource('default').driver);
      expect(injected.isInitialized).toBe(true);
      expect(injected.options.type).toBe('better-sqlite3');
      expect(testApp.databases.audit.connectionString.endsWith(String(injected.options.database))).toBe(true);
    });

    it('rejects getSession() for an unknown bind key, naming it and the configured keys', async () => {
      const response = await request(testApp.url).get('/orders/unknown-bind-key').expect(200);
      expect(response.body).toMatchObject({ thrown: true, isImproperConfiguration: true });
      expect(response.body.message).toContain('"nope"');
      expect(response.body.message).toContain('"default"');
      expect(response.body.message).toContain('"audit"');
    });
  });

  // Only meaningful where the kind under test is a server: both bind keys then live on servers.
  if (kind !== 'sqlite') {
    describe(`and audit on a second ${kind} database`, () => {
      // Idle connections close quickly, so the audit pool can be seen empty before a request.
      const engineConfig = kind === 'postgres' ? { connectArgs: { idleTimeoutMillis: 100 } } : {};
      const testApp = useBindKeysApp(kind, kind, { engineConfig });
      let auditActivity: BindActivity;
      let auditDataSource: DataSource;
      beforeAll(() => {
        auditDataSource = testApp.dataSource('audit');
        auditActivity = watchBind(auditDataSource);
      });

      it('commits both server databases used in one request', async () => {
        await request(testApp.url).post('/orders/server-both-1').expect(201);
        expect(await testApp.probe.count('bk_orders', 'ref = ?', ['server-both-1'])).toBe(1);
        expect(await testApp.probes.audit.count('bk_audit_entries', 'ref = ?', ['server-both-1'])).toBe(1);
      });

      it('takes no audit connection in a request that uses only the default bind key', async () => {
        if (kind === 'postgres') await untilPoolIsEmpty(poolOf(auditDataSource) as PgPool);
        auditActivity.reset();
        await request(testApp.url).post('/orders/server-quiet-1/quiet').expect(201);
        expect(await testApp.probe.count('bk_orders', 'ref = ?', ['server-quiet-1'])).toBe(1);
        expect(auditActivity).toMatchObject({ runners: 0, statements: 0, acquires: 0 });
        if (kind === 'postgres') expect((poolOf(auditDataSource) as PgPool).totalCount).toBe(0);
        // The same counters do see a request that uses the audit bind key.
        await request(testApp.url).post('/orders/server-loud-1').expect(201);
        expect(auditActivity.acquires).toBe(1);
      });
    });
  }
});

/** Waits (without asserting on time) for the startup connections of a pg pool to be closed as idle. */
async function untilPoolIsEmpty(pool: PgPool): Promise<void> {
  for (let attempt = 0; pool.totalCount > 0; attempt++) {
    if (attempt > 200) throw new Error(`the pg pool still holds ${pool.totalCount} connection(s)`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
