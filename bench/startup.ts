// Measures how long the module takes to start with N bind keys (SQLite files), in a fresh process.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdvancedAlchemyModule } from 'nestjs-advanced-alchemy';
import { Item } from './item.entity';

async function main(): Promise<void> {
  const binds = Number(process.argv[2] ?? 1);
  const directory = mkdtempSync(join(tmpdir(), 'alchemy-startup-'));
  const started = process.hrtime.bigint();
  @Module({
    imports: [
      AdvancedAlchemyModule.forRoot(
        Array.from({ length: binds }, (_, index) => ({
          bindKey: index === 0 ? 'default' : `bind${index}`,
          connectionString: `sqlite:///${join(directory, `bind${index}.db`)}`,
          entities: [Item],
        })),
      ),
    ],
  })
  class AppModule {}
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  await app.close();
  rmSync(directory, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ binds, milliseconds: elapsed }));
}

void main();
