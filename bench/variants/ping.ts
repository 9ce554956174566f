import { Controller, Get, Module } from '@nestjs/common';
import { AdvancedAlchemyModule } from 'nestjs-advanced-alchemy';
import { Item } from '../item.entity';
import { createBenchApp } from './items-api';
import type { Variant } from './variant';

@Controller()
class PingController {
  @Get('ping') ping() {
    return 'pong';
  }
}

/** A route that touches no database, with or without the module imported. */
export function pingVariant(withModule: boolean): Variant {
  return {
    name: withModule ? 'ping+module' : 'ping',
    hasItems: false,
    async createApp(connectionString) {
      @Module({
        imports: withModule
          ? [AdvancedAlchemyModule.forRoot({ connectionString, entities: [Item], commitMode: 'autocommit' })]
          : [],
        controllers: [PingController],
      })
      class AppModule {}
      return createBenchApp(AppModule);
    },
  };
}
