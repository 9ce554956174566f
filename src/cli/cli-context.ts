import { describeTypeOrmTarget } from '../config/typeorm-shaped-options';
import type { INestApplicationContext } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { AlchemyConfig } from '../config/alchemy-config';
import { redactConnectionString } from '../config/connection-string';
import type { AdvancedAlchemy } from '../core/advanced-alchemy';
import { AdvancedAlchemyError } from '../errors/advanced-alchemy.error';
import { BindMigrationExecutor } from '../migrations/bind-migration-executor';
import { bootForMigrations, type RootModule } from '../migrations/boot-for-migrations';
import { observeConfigs } from '../migrations/config-observer';
import { loadMigrations } from '../migrations/migration-loader';
import { resolveMigrationSettings, type MigrationSettings } from '../migrations/migration-settings';
import { CliError, EXIT } from './cli-error';
import { Progress } from './progress';
import type { TwoPhaseCoordinator } from '../twophase/coordinator';
import { tenancyOf } from '../tenancy/attach-tenancy';
import {
  createTenantSchema,
  openTenantMigrationTarget,
  type TenantMigrationTarget,
} from '../tenancy/tenant-migration-target';
import { maybeCoordinatorOf } from '../twophase/coordinator-of';

/** One bind key as the commands work on it. */
export interface CliBind {
  bindKey: string;
  config: AlchemyConfig;
  dataSource: DataSource;
  settings: MigrationSettings;
  /** The connection string with its password hidden, or a note that the DataSource was given. */
  target: string;
}

/** Where a bind key connects, safe to print: the connection string with its password hidden. */
export function targetOf(config: AlchemyConfig): string {
  if (config.connectionString) return redactConnectionString(config.connectionString);
  return config.typeOrmOptions ? describeTypeOrmTarget(config.typeOrmOptions) : 'a given DataSource';
}

/**
 * What every command shares: the application booted on first use, the bind keys chosen by
 * `--bind-key`, output, and progress.
 */
export class CliContext {
  readonly progress = new Progress();
  #app?: INestApplicationContext;
  #alchemy?: AdvancedAlchemy;
  /** Set while a command runs for one tenant (`--tenant`, `--all-tenants`): its DataSources, opened on first use. */
  #tenant?: { id: string; targets: Map<string, TenantMigrationTarget> };

  constructor(private readonly rootModule: () => RootModule | Promise<RootModule>) {}

  /**
   * The bind keys a command works on: the one `--bind-key` names, else every config (`every`) or
   * the first. An unknown key ends the command with `No config found for bind key: X` (exit 1).
   */
  async binds(bindKey: string | undefined, every: boolean): Promise<CliBind[]> {
    const alchemy = await this.alchemy();
    let configs: readonly AlchemyConfig[];
    if (bindKey !== undefined) {
      configs = alchemy.config.filter((config) => config.bindKey === bindKey);
      if (configs.length === 0) throw new CliError(`No config found for bind key: ${bindKey}`, EXIT.failure);
    } else {
      configs = every ? alchemy.config : alchemy.config.slice(0, 1);
    }
    const tenant = this.#tenant;
    if (tenant) {
      // For a tenant: its bind keys only (the tenant-scoped ones), each on the tenant's schema or database.
      configs = bindKey === undefined ? alchemy.config.filter((config) => config.tenancy !== undefined) : configs;
      for (const config of configs) {
        if (!tenant.targets.has(config.bindKey)) {
          tenant.targets.set(config.bindKey, await openTenantMigrationTarget(alchemy.bind(config.bindKey), tenant.id));
        }
      }
      if (!every) configs = configs.slice(0, 1);
    }
    return configs.map((config) => ({
      bindKey: config.bindKey,
      config,
      dataSource: tenant?.targets.get(config.bindKey)?.dataSource ?? alchemy.getDataSource(config.bindKey),
      settings: resolveMigrationSettings(config),
      target: targetOf(config),
    }));
  }

  /**
   * Boots the application for `doctor`: its `AdvancedAlchemy`, or the error that stopped the boot
   * with the configurations the module had by then (none when the root module did not load).
   */
  async bootForDoctor(): Promise<{ configs: readonly AlchemyConfig[]; alchemy?: AdvancedAlchemy; error?: unknown }> {
    let configs: readonly AlchemyConfig[] = [];
    try {
      const alchemy = await observeConfigs(
        (announced) => (configs = announced),
        () => this.alchemy(),
      );
      return { configs: alchemy.config, alchemy };
    } catch (error) {
      return { configs, error };
    }
  }

  /** The bind key's migration executor; `load: false` skips reading the migration files. */
  async executor(bind: CliBind, load = true): Promise<BindMigrationExecutor> {
    return new BindMigrationExecutor(bind.dataSource, bind.settings, load ? await loadMigrations(bind.settings) : []);
  }

  /** The two-phase commit coordinator of the application (undefined when no bind key has `twophase`). */
  async twoPhase(): Promise<TwoPhaseCoordinator | undefined> {
    const alchemy = await this.alchemy();
    const member = alchemy.config.find((config) => config.sessionConfig.twophase === true);
    return member ? maybeCoordinatorOf(alchemy.bindFor(member.bindKey)) : undefined;
  }

  /** Runs a bind key's part of a command; errors that do not say which bind key get it prefixed. */
  async forBind<T>(bind: CliBind, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof AdvancedAlchemyError) throw error;
      throw new CliError(`Bind key "${bind.bindKey}": ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Every tenant of the application (`tenancy.listTenants`). */
  async allTenants(): Promise<string[]> {
    const tenancy = tenancyOf(await this.alchemy());
    if (!tenancy) throw new CliError('--tenant and --all-tenants need the module option tenancy.', EXIT.usage);
    return tenancy.listTenants();
  }

  /** Creates `tenant`'s schema (or database) on each schema-strategy bind key (or the one named). */
  async createTenantSchemas(tenant: string, bindKey?: string): Promise<void> {
    const alchemy = await this.alchemy();
    for (const config of alchemy.config) {
      if (config.tenancy === undefined || (bindKey !== undefined && config.bindKey !== bindKey)) continue;
      await createTenantSchema(alchemy.bind(config.bindKey), tenant);
    }
  }

  /** Runs `work` with the tenant-scoped bind keys on `tenant`'s schema or database, closed after. */
  async asTenant<T>(tenant: string, work: () => Promise<T>): Promise<T> {
    this.#tenant = { id: tenant, targets: new Map() };
    try {
      return await work();
    } finally {
      const targets = [...this.#tenant.targets.values()];
      this.#tenant = undefined;
      await Promise.all(targets.map((target) => target.close().catch(() => undefined)));
    }
  }

  /** A result line on stdout. */
  say(line: string): void {
    this.progress.clear();
    process.stdout.write(`${line}\n`);
  }

  /** Closes the application (and with it every DataSource). */
  async close(): Promise<void> {
    const app = this.#app;
    this.#app = undefined;
    await app?.close();
  }

  private async alchemy(): Promise<AdvancedAlchemy> {
    if (!this.#alchemy) {
      const booted = await bootForMigrations(await this.rootModule());
      this.#app = booted.app;
      this.#alchemy = booted.alchemy;
    }
    return this.#alchemy;
  }
}
