import {
  Body,
  Controller,
  Get,
  Inject,
  Param,
  ParseIntPipe,
  Post,
  type INestApplication,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

/** What every variant's service does; only how it gets its transaction differs. */
export interface ItemsApi {
  create(name: string): Promise<unknown>;
  get(id: number): Promise<unknown>;
}

/** The two endpoints every variant serves: POST /items creates a row from its JSON body (201), GET /items/:id reads one. */
export function itemsController(service: Type<ItemsApi>): Type<unknown> {
  @Controller('items')
  class ItemsController {
    constructor(@Inject(service) private readonly items: ItemsApi) {}
    @Post() create(@Body() body: { name: string }) {
      return this.items.create(body.name);
    }
    @Get(':id') get(@Param('id', ParseIntPipe) id: number) {
      return this.items.get(id);
    }
  }
  return ItemsController;
}

/** A bench application: errors only in the log, shutdown hooks on. */
export async function createBenchApp(module: Type<unknown>): Promise<INestApplication> {
  const app = await NestFactory.create(module, { logger: ['error'] });
  app.enableShutdownHooks();
  return app;
}
