import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AlchemyHealthIndicator } from 'nestjs-advanced-alchemy';
import { HealthController } from './health.controller';

@Module({
  imports: [TerminusModule],
  controllers: [HealthController],
  // AdvancedAlchemyModule declares AlchemyHealthIndicator without exporting it, so it is provided
  // here; all it needs is AdvancedAlchemy, which the (global) module does export.
  providers: [AlchemyHealthIndicator],
})
export class HealthModule {}
