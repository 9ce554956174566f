import type { QueryRunner } from 'typeorm';
import type { ConnectionSlots } from './connection-slots';
import { DatabaseUnavailableError } from '../errors/database-unavailable.error';
import type { Bind } from './bind';
import { isConnectionError, unreachableMessage } from '../errors/connection-errors';
import type { LateUse, StatementDeadline } from './statement-deadline';

/**
 * A plain read of a session that has not begun its transaction (`beginOnFirstWrite`), on a server
 * database: it borrows a pooled connection for that one statement and gives it back at once, as
 * TypeORM does outside a transaction. A session that only reads then never holds a connection
 * while its request's response is built, so a pool smaller than the number of requests in flight
 * is not the limit. The first write takes the session's own connection and sends BEGIN.
 */
export async function readOnBorrowedConnection(
  bind: Bind,
  slots: ConnectionSlots,
  deadline: StatementDeadline,
  sql: string,
  parameters: unknown[] | undefined,
  structured: boolean | undefined,
  lateUse: LateUse,
): Promise<unknown> {
  if (!slots.tryAcquire()) await slots.acquire();
  let reader: (QueryRunner & { databaseConnection?: unknown }) | undefined;
  try {
    reader = bind.dataSource.createQueryRunner();
    try {
      await reader.connect();
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      throw new DatabaseUnavailableError(unreachableMessage(bind.key, error), { cause: error });
    }
    return await deadline.guard(reader, sql, reader.query(sql, parameters, structured as true), lateUse);
  } finally {
    try {
      await reader?.release();
    } finally {
      slots.release();
    }
  }
}
