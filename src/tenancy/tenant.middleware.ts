import { Injectable, Logger, type NestMiddleware } from '@nestjs/common';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { AdvancedAlchemy } from '../core/advanced-alchemy';
import { tenancyOf } from './attach-tenancy';
import { tenantStorage } from './tenant-context';
import { TenantRejectedError } from './tenant-errors';

/**
 * Resolves each HTTP request's tenant before any handler, guard or statement runs; a request
 * without one, or with one that does not exist, is answered here (4xx). The module installs it
 * after the session scope's middleware when `tenancy` is configured.
 */
@Injectable()
export class TenantMiddleware implements NestMiddleware {
  readonly #logger = new Logger('AdvancedAlchemy');

  constructor(private readonly alchemy: AdvancedAlchemy) {}

  use(request: IncomingMessage, response: ServerResponse, next: () => void): void {
    const tenancy = tenancyOf(this.alchemy);
    if (!tenancy) return next();
    tenancy.resolve({ kind: 'http', request }).then(
      (context) => {
        // The response is held until the sessions end, so at 'close' none uses the tenant's DataSource any more.
        response.once('close', () => context.release());
        tenantStorage.run(context, next);
      },
      (error: unknown) => this.refuse(response, error),
    );
  }

  private refuse(response: ServerResponse, error: unknown): void {
    const rejected = error instanceof TenantRejectedError;
    const status = rejected ? error.status : 503;
    const message = rejected ? error.message : "The tenant's database cannot be reached; retry later.";
    if (!rejected) this.#logger.error(`Could not open the tenant's database: ${this.alchemy.redact(error)}`);
    if (response.headersSent) return void response.end();
    response.statusCode = status;
    response.setHeader('content-type', 'application/json; charset=utf-8');
    if (status === 503) response.setHeader('retry-after', '1');
    response.end(JSON.stringify({ statusCode: status, error: STATUS_CODES[status] ?? 'Error', message }));
  }
}
