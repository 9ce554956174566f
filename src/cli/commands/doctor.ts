import type { Command } from 'commander';
import type { AlchemyConfig } from '../../config/alchemy-config';
import { parseConnectionString } from '../../config/connection-string';
import { secretsOf } from '../../config/typeorm-shaped-options';
import { openBind } from '../../core/open-bind';
import { describeError } from '../../core/secret-scrubber';
import { duringDatabaseCliBoot } from '../../migrations/cli-boot-flag';
import { databaseKindOf } from '../../migrations/migration-kind';
import type { CliContext } from '../cli-context';
import { CliError } from '../cli-error';
import { checkBind, type BindReach } from '../doctor/bind-checks';
import { checkServerDrivers } from '../doctor/driver-checks';
import { renderFinding, type Finding } from '../doctor/finding';
import { checkLoader } from '../doctor/loader-check';
import { checkNode, checkSqliteDriver } from '../doctor/node-checks';

/**
 * `doctor`: what a first run needs, each problem with its fix — Node and better-sqlite3, the
 * drivers of the configured databases, how the command line loads the application, then per bind
 * key: the database answers, its schema is the application's, its commit mode. Exit 1 when a
 * problem blocks (a `FAIL` line), 0 otherwise. No password is printed.
 */
export function registerDoctor(program: Command, context: CliContext): void {
  const takesApp = program.options.some((option) => option.long === '--app');
  program
    .command('doctor')
    .description(
      'check the setup (Node, drivers, loader, databases, migrations, commit mode), each problem with its fix',
    )
    .action(async (_options: unknown, command: Command) => {
      const projectDirectory = process.cwd();
      const app = takesApp ? (command.optsWithGlobals<{ app?: string }>().app ?? '') : undefined;
      const findings: Finding[] = [checkNode()];
      const loader = app === '' ? undefined : checkLoader(app, projectDirectory);
      let configs: readonly AlchemyConfig[] = [];
      const late: Finding[] = [];
      if (app === '') {
        late.push({
          level: 'fail',
          subject: 'application',
          detail: 'which one? the databases and migrations are checked on the application',
          fix: 'npx nestjs-advanced-alchemy doctor --app src/app.module.ts',
        });
      } else if (loader?.level !== 'fail') {
        const booted = await context.bootForDoctor();
        configs = booted.configs;
        let unreached = 0;
        for (const [index, config] of configs.entries()) {
          const reach: ReachedBind = booted.alchemy
            ? { dataSource: booted.alchemy.getDataSource(config.bindKey) }
            : await reachBind(config, index);
          if ('error' in reach) unreached++;
          try {
            late.push(...(await checkBind(config, reach)));
          } finally {
            await reach.close?.();
          }
        }
        // A boot stopped by a database that does not answer is said once, on that bind key's line.
        if (booted.error !== undefined && unreached === 0) {
          late.unshift({
            level: 'fail',
            subject: 'application',
            detail: `does not start: ${describeError(booted.error, secretsOfConfigs(configs)).split('\n')[0]}`,
            fix: 'correct what the error names, then run doctor again',
          });
        }
      }
      const kinds = configs.map(databaseKindOf).filter((kind) => kind !== undefined);
      const sqlite = checkSqliteDriver(projectDirectory, kinds.includes('sqlite'));
      if (sqlite) findings.push(sqlite);
      findings.push(...checkServerDrivers(projectDirectory, kinds));
      if (loader) findings.push(loader);
      findings.push(...late);
      // The fixes name the command to run: with the --app given here, ready to copy.
      const ready = app
        ? findings.map((finding) => ({ ...finding, fix: finding.fix?.replaceAll('<your app.module>', app) }))
        : findings;
      ready.forEach((finding) => context.say(renderFinding(finding)));
      const blocking = findings.filter((finding) => finding.level === 'fail').length;
      const warnings = findings.filter((finding) => finding.level === 'warn').length;
      if (blocking > 0) {
        throw new CliError(`${blocking} problem(s) block the application (FAIL lines above): fix them from the top.`);
      }
      context.say(warnings > 0 ? `No problem blocks; ${warnings} warning(s) above.` : 'No problem found.');
    });
}

/** A bind key reached by `doctor` itself, closed once checked. */
type ReachedBind = BindReach & { close?: () => Promise<void> };

/** Opens one bind key on its own, as the application does, after the application's boot failed. */
async function reachBind(config: AlchemyConfig, index: number): Promise<ReachedBind> {
  const secrets: string[] = [];
  try {
    const bind = await duringDatabaseCliBoot(() => openBind(config, index, secrets));
    return {
      dataSource: bind.dataSource,
      close: async () => {
        if (bind.ownsDataSource) await bind.dataSource.destroy();
      },
    };
  } catch (error) {
    return { error: describeError(error, [...secrets, ...secretsOfConfigs([config])]).split('\n')[0] ?? '' };
  }
}

function secretsOfConfigs(configs: readonly AlchemyConfig[]): string[] {
  return configs.flatMap((config) => {
    if (config.typeOrmOptions) return secretsOf(config.typeOrmOptions);
    if (!config.connectionString) return [];
    try {
      const password = parseConnectionString(config.connectionString, config.bindKey).password;
      return password ? [password] : [];
    } catch {
      return [];
    }
  });
}
