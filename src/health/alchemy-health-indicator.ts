import { Injectable } from '@nestjs/common';
import { DEFAULT_BIND_KEY } from '../config/alchemy-config';
import { AdvancedAlchemy } from '../core/advanced-alchemy';
import { checkReplicas, type ReplicaHealth } from '../replicas/replica-health';

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
  }
>;

export interface PingCheckOptions {
  /** The bind key to check. Default `'default'`. */
  bindKey?: string;
  /** Milliseconds before the check reports `down`. Default 1000. */
  timeout?: number;
}

/**
 * A health indicator per bind key for `@nestjs/terminus`: runs `SELECT 1` outside any request
 * session and reports `up` with the response time or `down` with a reason (never credentials).
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
      const set = this.alchemy.bindFor(bindKey).replicas;
      const replicas = set
        ? { replicas: await checkReplicas(set, timeout, (error) => this.alchemy.redact(error)) }
        : {};
      return { [key]: { status: 'up', bindKey, responseTimeMs, ...replicas } };
    } catch (error) {
      return { [key]: { status: 'down', bindKey, message: this.alchemy.redact(error) } };
    } finally {
      clearTimeout(timer);
    }
  }
}
