import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Command } from 'commander';
import { BASE, currentRevision, resolveRevision } from '../../migrations/revision';
import type { CliContext } from '../cli-context';
import { tenantAction } from './tenant-options';
import { bindKeyOption, migrationState, type BindKeyOption } from './shared';

/** The read-only commands: `show-current-revision`, `heads`, `history`, `show REVISION`. */
export function registerRevisionCommands(database: Command, context: CliContext): void {
  bindKeyOption(
    database.command('show-current-revision').description('print the revision the database is at (base: none)'),
    false,
  ).action(async (options: BindKeyOption) => {
    const [bind] = await context.binds(options.bindKey, false);
    const { applied } = await context.forBind(bind, () => migrationState(context, bind));
    context.say(currentRevision(applied));
  });

  bindKeyOption(database.command('heads').description('print the latest revision (the head)'), false).action(
    async (options: BindKeyOption) => {
      const [bind] = await context.binds(options.bindKey, false);
      const { available } = await context.forBind(bind, () => migrationState(context, bind));
      context.say(available.length ? available[available.length - 1] : BASE);
    },
  );

  tenantAction(
    bindKeyOption(
      database.command('history').description('list the revisions, oldest first, marking those applied'),
      false,
    ),
    context,
    async (options: BindKeyOption) => {
      const [bind] = await context.binds(options.bindKey, false);
      const { executor, available, applied } = await context.forBind(bind, () => migrationState(context, bind));
      const done = new Set(applied.map((migration) => migration.name));
      const current = currentRevision(applied);
      for (const migration of executor.loaded) {
        const marks = [
          migration.name === available[available.length - 1] ? 'head' : '',
          migration.name === current ? 'current' : '',
        ].filter(Boolean);
        const suffix = marks.length ? ` (${marks.join(', ')})` : '';
        context.say(`[${done.has(migration.name) ? 'X' : ' '}] ${migration.name}${suffix}`);
      }
      for (const name of done) {
        if (!executor.find(name)) context.say(`[?] ${name} (recorded as applied; no migration file defines it)`);
      }
      if (executor.loaded.length === 0 && done.size === 0) context.say(`[${bind.bindKey}] No migrations yet.`);
    },
  );

  bindKeyOption(
    database.command('show').description('print a revision: its parent, file, state and source').argument('<revision>'),
    false,
  ).action(async (revision: string, options: BindKeyOption) => {
    const [bind] = await context.binds(options.bindKey, false);
    const { executor, available, applied } = await context.forBind(bind, () => migrationState(context, bind));
    const index = resolveRevision(revision, available, bind.bindKey);
    if (index < 0) {
      context.say(`Revision: ${BASE} (before the first migration)`);
      return;
    }
    const migration = executor.loaded[index];
    const record = applied.find((entry) => entry.name === migration.name);
    context.say(`Revision: ${migration.name}`);
    context.say(`Parent:   ${index > 0 ? available[index - 1] : BASE}`);
    context.say(`Path:     ${relative(process.cwd(), migration.file)}`);
    context.say(`Applied:  ${record ? `yes (version table id ${record.id})` : 'no'}`);
    context.say('');
    context.say(readFileSync(migration.file, 'utf8').trimEnd());
  });
}
