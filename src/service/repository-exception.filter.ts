import { Catch, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { throwError, type Observable } from 'rxjs';
import { ConflictError } from '../errors/conflict.error';
import { DuplicateKeyError } from '../errors/duplicate-key.error';
import { ForeignKeyError } from '../errors/foreign-key.error';
import { IntegrityError } from '../errors/integrity.error';
import { InvalidFilterError } from '../errors/invalid-filter.error';
import { NotFoundError } from '../errors/not-found.error';
import { RepositoryError } from '../errors/repository.error';

/** The JSON body a repository error becomes. */
export interface RepositoryErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

const INTERNAL_MESSAGE = 'The database could not complete the request.';

/** The HTTP status and reason phrase of a repository error; the most specific class decides. */
export function repositoryErrorStatus(error: RepositoryError): { statusCode: number; error: string } {
  if (error instanceof NotFoundError) return { statusCode: HttpStatus.NOT_FOUND, error: 'Not Found' };
  if (error instanceof DuplicateKeyError || error instanceof ForeignKeyError || error instanceof ConflictError) {
    return { statusCode: HttpStatus.CONFLICT, error: 'Conflict' };
  }
  if (error instanceof IntegrityError)
    return { statusCode: HttpStatus.UNPROCESSABLE_ENTITY, error: 'Unprocessable Entity' };
  if (error instanceof InvalidFilterError) return { statusCode: HttpStatus.BAD_REQUEST, error: 'Bad Request' };
  return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, error: 'Internal Server Error' };
}

/**
 * Answers HTTP requests that failed with a repository error: `NotFoundError` 404,
 * `DuplicateKeyError`, `ForeignKeyError` and `ConflictError` 409, `IntegrityError` 422, `InvalidFilterError` 400,
 * any other `RepositoryError` 500 (its database detail logged, not sent). The body is
 * `{ statusCode, error, message }`; the status also makes the commit mode roll back. Replies through
 * the HTTP adapter, so it works on Express and Fastify. Outside HTTP the error is passed on unchanged.
 */
@Catch(RepositoryError)
export class RepositoryExceptionFilter implements ExceptionFilter<RepositoryError> {
  private readonly logger = new Logger('RepositoryExceptionFilter');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: RepositoryError, host: ArgumentsHost): Observable<never> | void {
    // Message handlers and GraphQL resolvers get the error back as it is, as without this filter
    // (a GraphQL resolver's filter result would become the field's value).
    if (host.getType<string>() === 'graphql') throw exception;
    if (host.getType() !== 'http') return throwError(() => exception);
    const status = repositoryErrorStatus(exception);
    const internal = status.statusCode >= 500;
    if (internal) this.logger.error(`${exception.name}: ${exception.detail ?? exception.message}`, exception.stack);
    const body: RepositoryErrorBody = { ...status, message: internal ? INTERNAL_MESSAGE : exception.message };
    this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse(), body, status.statusCode);
  }
}
