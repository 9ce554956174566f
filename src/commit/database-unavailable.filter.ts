import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { throwError, type Observable } from 'rxjs';
import { DatabaseUnavailableError } from '../errors/database-unavailable.error';
import { SessionAcquireTimeoutError } from '../errors/session-acquire-timeout.error';

/**
 * Answers 503 with `Retry-After` when a request could not get its database: the pool stayed full
 * past `poolTimeout`, the database refused or dropped the connection, or the app is shutting down.
 * The module installs it globally; it handles only these two error classes.
 */
@Catch(DatabaseUnavailableError, SessionAcquireTimeoutError)
export class DatabaseUnavailableFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: DatabaseUnavailableError | SessionAcquireTimeoutError, host: ArgumentsHost): Observable<never> | void {
    // A GraphQL resolver's filter result would become the field's value: the error must stay an error.
    if (host.getType<string>() === 'graphql') throw error;
    if (host.getType() !== 'http') return throwError(() => error);
    const { httpAdapter } = this.adapterHost;
    const response: unknown = host.switchToHttp().getResponse();
    httpAdapter.setHeader(response, 'Retry-After', '1');
    httpAdapter.reply(response, { statusCode: 503, error: 'Service Unavailable', message: error.message }, 503);
  }
}
