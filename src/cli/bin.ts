#!/usr/bin/env node
import 'reflect-metadata';
import { loadRootModule } from './load-root-module';
import { runCli } from './run-database-cli';

/**
 * `npx nestjs-advanced-alchemy database <command> --app <root module file> [--module AppModule]`:
 * the `database` command line without a `cli.ts` in the application.
 */
void runCli(
  process.argv.slice(2),
  { name: 'nestjs-advanced-alchemy' },
  (program) => {
    const options = program.opts<{ app?: string; module?: string }>();
    return loadRootModule(options.app, options.module);
  },
  (program) =>
    program
      .option(
        '--app <file>',
        "the file of the application's root module (.js, or .ts with a TypeScript loader installed; CommonJS or ES module)",
      )
      .option('--module <name>', 'the export name of the root module', undefined),
);
