import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { defaultTemplate, localTemplateName } from '../../migrations/migration-template';
import type { CliContext } from '../cli-context';
import { bindKeyOption, chooseLanguage, languageOptions, type BindKeyOption } from './shared';

interface InitOptions extends BindKeyOption {
  js?: boolean;
  ts?: boolean;
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
    const language = chooseLanguage(options);
    for (const bind of binds) {
      const target = directory
        ? resolve(binds.length > 1 ? join(directory, bind.bindKey) : directory)
        : bind.settings.scriptLocation;
      const shown = relative(process.cwd(), target) || '.';
      if (existsSync(target) && readdirSync(target).length > 0) {
        context.say(`[${bind.bindKey}] ${shown} already exists and is not empty: left as it is.`);
        continue;
      }
      mkdirSync(target, { recursive: true });
      const template = localTemplateName(language);
      writeFileSync(join(target, template), defaultTemplate(language));
      context.say(`[${bind.bindKey}] Created ${shown} with ${template} (new migrations are written from it).`);
      if (target !== bind.settings.scriptLocation) {
        context.say(`[${bind.bindKey}] Set migrationConfig.scriptLocation to '${shown}' so the other commands use it.`);
      }
    }
  });
}
