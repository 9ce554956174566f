import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { AlchemyHealthIndicator } from 'nestjs-advanced-alchemy';
import { AUDIT } from '../audit/audit.service';

/**
 * `GET /health`: 200 `{ status: 'ok' }` when both databases answer `SELECT 1`, 503 naming the one
 * that does not. The check runs outside any request session, so it takes no part in a commit.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly databases: AlchemyHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.databases.pingCheck('catalogue', { bindKey: 'default' }),
      () => this.databases.pingCheck('audit', { bindKey: AUDIT }),
    ]);
  }
}
