import { Injectable } from '@nestjs/common';
import { DEFAULT_BIND_KEY } from '../config/alchemy-config';
import { AdvancedAlchemy } from '../core/advanced-alchemy';
import { describeSchemaStatus, readSchemaStatus } from '../migrations/schema-status';
import { checkReplicas, type ReplicaHealth } from '../replicas/replica-health';
import { ReplicaSet } from '../replicas/replica-set';
import { tenancyOf } from '../tenancy/attach-tenancy';
import { checkTenants, DEFAULT_TENANTS_PER_HEALTH_CHECK, type TenantsHealth } from './tenant-health';

/** The shape `@nestjs/terminus` expects from a health indicator (no import of terminus needed). */
export type AlchemyHealthResult = Record<
  string,
  {
    status: 'up' | 'down';
    bindKey: string;
    responseTimeMs?: number;
    message?: string;
    /** Each read replica of the bind key (a replica that is down does not make the bind key down). */
    replicas?: ReplicaHealth[];
    /** The tenants of a tenant-scoped bind key, at most `PingCheckOptions.tenants` of them per call. */
    tenants?: TenantsHealth;
  }
>;

export interface PingCheckOptions {
  /** The bind key to check. Default `'default'`. */
  bindKey?: string;
  /** Milliseconds before the check reports `down`. Default 1000. */
  timeout?: number;
  /**
   * Also report `down` when the database lacks tables of the bind key's entities or has migrations
   * not applied (the message names the command to run). Default `true`.
   */
  schema?: boolean;
  /**
   * On a tenant-scoped bind key: how many tenants one call checks (default 10; 0 = none). Schema
   * strategy: each tenant's schema exists and has its tables and migrations, a slice of
   * `listTenants()` per call in turn; database strategy: `SELECT 1` on the open tenants' DataSources,
   * most recently used first. A tenant down is reported, and does not make the bind key down.
   */
  tenants?: number;
}

/**
 * A health indicator per bind key for `@nestjs/terminus`: runs `SELECT 1` outside any request
 * session and reports `up` with the response time or `down` with a reason (never credentials): the
 * database cannot be reached, or it lacks tables of the entities or has migrations not applied.
 *
 * `health.check([() => indicator.pingCheck('database'), () => indicator.pingCheck('audit', { bindKey: 'audit' })])`
 */
@Injectable()
export class AlchemyHealthIndicator {
  constructor(private readonly alchemy: AdvancedAlchemy) {}

  async pingCheck(key: string, options: PingCheckOptions = {}): Promise<AlchemyHealthResult> {
    const bindKey = options.bindKey ?? DEFAULT_BIND_KEY;
    const timeout = options.timeout ?? 1000;
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const dataSource = this.alchemy.getDataSource(bindKey);
      if (!dataSource.isInitialized) throw new Error('the DataSource is closed');
      await Promise.race([
        dataSource.query('SELECT 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeout} ms`)), timeout);
        }),
      ]);
      const responseTimeMs = Math.round(performance.now() - started);
      if (options.schema !== false) {
        const config = this.alchemy.config.find((candidate) => candidate.bindKey === bindKey);
        const behind = config && describeSchemaStatus(bindKey, await readSchemaStatus(config, dataSource));
        if (behind) return { [key]: { status: 'down', bindKey, responseTimeMs, message: behind } };
      }
      const set = ReplicaSet.of(this.alchemy.bindFor(bindKey));
      const replicas = set
        ? { replicas: await checkReplicas(set, timeout, (error) => this.alchemy.redact(error)) }
        : {};
      const tenants = await this.checkTenants(bindKey, options.tenants ?? DEFAULT_TENANTS_PER_HEALTH_CHECK, timeout);
      return { [key]: { status: 'up', bindKey, responseTimeMs, ...replicas, ...tenants } };
    } catch (error) {
      return { [key]: { status: 'down', bindKey, message: this.alchemy.redact(error) } };
    } finally {
      clearTimeout(timer);
    }
  }

  private async checkTenants(bindKey: string, limit: number, timeout: number): Promise<{ tenants?: TenantsHealth }> {
    const bind = this.alchemy.bindFor(bindKey);
    const tenancy = tenancyOf(this.alchemy);
    if (!bind.tenancy || !tenancy || limit <= 0) return {};
    let timer: NodeJS.Timeout | undefined;
    try {
      const tenants = await Promise.race([
        checkTenants(bind, tenancy, limit, (error) => this.alchemy.redact(error)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`the tenants' check had no answer within ${timeout} ms`)), timeout);
        }),
      ]);
      return { tenants };
    } finally {
      clearTimeout(timer);
    }
  }
}
