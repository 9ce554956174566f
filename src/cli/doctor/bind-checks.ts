import type { DataSource } from 'typeorm';
import type { AlchemyConfig } from '../../config/alchemy-config';
import { databaseKindOf } from '../../migrations/migration-kind';
import { describeSchemaStatus, readSchemaStatus } from '../../migrations/schema-status';
import { targetOf } from '../cli-context';
import type { Finding } from './finding';
import { firstLine } from './node-checks';

/** A bind key as `doctor` reached it: its open DataSource, or why it could not be opened (secrets removed). */
export type BindReach = { dataSource: DataSource } | { error: string };

/** The findings of one bind key: its database answers, its schema is the application's, its commit mode. */
export async function checkBind(config: AlchemyConfig, reach: BindReach): Promise<Finding[]> {
  const key = `[${config.bindKey}]`;
  const kind = databaseKindOf(config) ?? 'database';
  const findings: Finding[] = [];
  if ('error' in reach) {
    findings.push({
      level: 'fail',
      subject: `${key} database`,
      detail: reach.error,
      fix: `start the ${kind} server, or correct the connection string of bind key "${config.bindKey}" (e.g. DATABASE_URL)`,
    });
  } else {
    findings.push({ level: 'ok', subject: `${key} database`, detail: `${kind}, ${targetOf(config)}: answers` });
    findings.push(await checkSchema(config, reach.dataSource));
  }
  findings.push(checkCommitMode(config));
  return findings;
}

async function checkSchema(config: AlchemyConfig, dataSource: DataSource): Promise<Finding> {
  const subject = `[${config.bindKey}] schema`;
  let status;
  try {
    status = await readSchemaStatus(config, dataSource);
  } catch (error) {
    return { level: 'warn', subject, detail: `could not be read: ${firstLine(error)}` };
  }
  const { pendingMigrations: pending, missingTables: missing } = status;
  // What the application does at its own start covers what is behind.
  const coveredByStartup =
    (pending.length === 0 || config.migrationConfig.runOnStartup) &&
    (missing.length === 0 || config.createAll || (pending.length > 0 && config.migrationConfig.runOnStartup));
  if (pending.length === 0 && missing.length === 0) {
    return { level: 'ok', subject, detail: 'every migration applied, every table of the entities present' };
  }
  if (coveredByStartup) {
    const how =
      pending.length > 0
        ? 'migrationConfig.runOnStartup applies the pending migrations'
        : 'createAll creates the missing tables';
    return { level: 'ok', subject, detail: `behind, and the application catches up when it starts (${how})` };
  }
  const line = describeSchemaStatus(config.bindKey, status) as string;
  const [what, fix] = line.split('. Requests that use them will fail: ');
  return {
    level: 'fail',
    subject,
    detail: `${(what ?? line).replace(`Bind key "${config.bindKey}": the database is behind the application: `, '')}: requests that use them fail`,
    fix: fix?.replace(/\.$/, ''),
  };
}

function checkCommitMode(config: AlchemyConfig): Finding {
  const subject = `[${config.bindKey}] commitMode`;
  if (config.commitModeStated) return { level: 'ok', subject, detail: `${config.commitMode} (stated)` };
  if (config.commitMode !== 'manual') {
    return {
      level: 'ok',
      subject,
      detail: `${config.commitMode} (the default of a config in @nestjs/typeorm's shape)`,
    };
  }
  return {
    level: 'warn',
    subject,
    detail:
      "not stated: 'manual' (the seed's default), and a request that writes without committing fails with 500 " +
      'until it is stated (docs/commit-modes.md)',
    fix: `state it in the config of bind key "${config.bindKey}": commitMode: 'autocommit' (commit on 2xx) or 'manual' (you commit)`,
  };
}
