import { DatabaseUnavailableError } from './database-unavailable.error';

/** The code of the error a connection checkout given up by the module fails with (session/guarded-checkout). */
export const CONNECTION_CLOSED_CODE = 'ALCHEMY_CONNECTION_CLOSED';

// Errors that mean "the database is not reachable", as opposed to "the statement is wrong":
// Node socket errors, PostgreSQL SQLSTATE class 08 and shutdown codes, mysql2's lost connections.
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  CONNECTION_CLOSED_CODE,
]);
const MYSQL_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR',
  'ER_CONNECTION_KILLED',
]);
// A Galera node outside the primary component (it left the cluster, or wsrep_reject_queries is set)
// answers every statement with ER_UNKNOWN_COM_ERROR (1047, SQLSTATE 08S01) "WSREP has not yet
// prepared node for application use": the node is unavailable, the statement was not wrong.
const GALERA_NOT_READY_ERRNO = 1047;
const PG_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'is not queryable',
  "Can't add new command when connection is in closed state",
];

/**
 * TypeORM releases a query runner by itself when its connection fails (pg's 'error' event); a
 * session's later statements on it then fail with this error. A session releases its runner only
 * when it closes, so for a session this always means the connection was lost.
 */
const RUNNER_RELEASED_BY_ERROR = 'QueryRunnerAlreadyReleasedError';

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  fatal?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
}

/** True when `error` (or the driver error or cause it wraps) says the connection is gone. */
export function isConnectionError(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  if (error instanceof DatabaseUnavailableError) return true;
  const candidate = error as ErrorLike;
  if (candidate.name === RUNNER_RELEASED_BY_ERROR) return true;
  const code = typeof candidate.code === 'string' ? candidate.code : '';
  if (SOCKET_CODES.has(code) || MYSQL_CODES.has(code)) return true;
  if (/^08/.test(code) || code === '57P01' || code === '57P02' || code === '57P03') return true;
  if (candidate.fatal === true) return true;
  const message = typeof candidate.message === 'string' ? candidate.message : '';
  if (isGaleraNotReady(candidate, 3)) return true;
  if (PG_MESSAGES.some((text) => message.includes(text))) return true;
  return isConnectionError(candidate.driverError, depth + 1) || isConnectionError(candidate.cause, depth + 1);
}

/** A Galera node outside the primary component refused the statement (1047 "WSREP has not yet prepared node…"). */
export function isGaleraNotReady(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  const candidate = error as ErrorLike & { errno?: unknown };
  if (candidate.errno === GALERA_NOT_READY_ERRNO && String(candidate.message).includes('WSREP')) return true;
  return isGaleraNotReady(candidate.driverError, depth + 1) || isGaleraNotReady(candidate.cause, depth + 1);
}

/**
 * What a session says when it could not get a working connection: the reason when the database
 * told one that a client can act on (a Galera node out of the cluster, no server of a multi-host
 * URL with the asked-for role during a failover), else that the database cannot be reached.
 */
export function unreachableMessage(bindKey: string, error: unknown): string {
  if (isGaleraNotReady(error)) {
    return (
      `The MariaDB Galera node of bind key "${bindKey}" is not part of the cluster's primary component now ` +
      '(WSREP not ready): nothing was stored. Retry the request.'
    );
  }
  const withRole = causeNamed(error, 'NoServerWithRoleError');
  if (withRole) return withRole.message;
  return `The database of bind key "${bindKey}" cannot be reached.`;
}

function causeNamed(error: unknown, name: string, depth = 0): Error | undefined {
  if (!(error instanceof Error) || depth > 3) return undefined;
  if (error.name === name) return error;
  const { driverError } = error as ErrorLike;
  return causeNamed(driverError, name, depth + 1) ?? causeNamed(error.cause, name, depth + 1);
}
