import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { defaultTemplate, localTemplateName } from '../../migrations/migration-template';
import { migrationWriteTarget } from '../../migrations/migration-settings';
import type { CliContext } from '../cli-context';
import { bindKeyOption, languageOptions, migrationFormat, type BindKeyOption } from './shared';

interface InitOptions extends BindKeyOption {
  js?: boolean;
  ts?: boolean;
  esm?: boolean;
  cjs?: boolean;
}

/**
 * `init [DIRECTORY]`: creates each bind key's migrations directory (its `scriptLocation`, or
 * DIRECTORY — `DIRECTORY/<bindKey>` when several bind keys are initialised) with the template new
 * migrations are written from. A directory that already has files is left alone.
 */
export function registerInit(database: Command, context: CliContext): void {
  const command = database
    .command('init')
    .description('create the migrations directory (and its template) of each bind key')
    .argument('[directory]', 'directory to create instead of migrationConfig.scriptLocation');
  languageOptions(bindKeyOption(command, true)).action(async (directory: string | undefined, options: InitOptions) => {
    const binds = await context.binds(options.bindKey, true);
    for (const bind of binds) {
      const { directory: sources, layout } = migrationWriteTarget(bind.settings);
      const target = directory ? resolve(binds.length > 1 ? join(directory, bind.bindKey) : directory) : sources;
      const format = migrationFormat(options, target, layout);
      const shown = relative(process.cwd(), target) || '.';
      if (existsSync(target) && readdirSync(target).length > 0) {
        context.say(`[${bind.bindKey}] ${shown} already exists and is not empty: left as it is.`);
        continue;
      }
      mkdirSync(target, { recursive: true });
      const template = localTemplateName(format.language);
      writeFileSync(join(target, template), defaultTemplate(format.language, format.moduleSystem));
      context.say(`[${bind.bindKey}] Created ${shown} with ${template} (new migrations are written from it).`);
      if (target !== sources) {
        context.say(`[${bind.bindKey}] Set migrationConfig.scriptLocation to '${shown}' so the other commands use it.`);
      }
    }
  });
}
