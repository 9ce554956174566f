import type { ExecutionContext } from '@nestjs/common';
import { tenancyOf } from './attach-tenancy';
import { tenantStorage, type TenantContext } from './tenant-context';
import type { TenantSource } from './tenancy-options';
import { TenantRejectedError } from './tenant-errors';

type TransportException = new (error: string | object) => Error;

/**
 * What a message handler's tenant is resolved from: a microservice message (its data and the
 * transport's context), or a WebSocket message (its data and the client socket, so a tenant read
 * from the handshake and kept on the socket travels with every message of it).
 */
export function messageTenantSource(context: ExecutionContext): TenantSource {
  if (context.getType() === 'ws') {
    const ws = context.switchToWs();
    return { kind: 'socket', data: ws.getData(), client: ws.getClient() };
  }
  const rpc = context.switchToRpc();
  return { kind: 'message', data: rpc.getData(), context: rpc.getContext() };
}

/**
 * Runs `start` for the tenant of a message handler's call (resolved once, before its first
 * statement), or at once when the application has no tenancy or the call already runs for a
 * tenant. `fail` gets the refusal (`TenantRejectedError`) of a message without a known tenant.
 * Returns what releases the tenant's DataSources: call it when the handler's unit of work ended.
 */
export function startForMessageTenant(
  owner: object,
  context: ExecutionContext,
  start: () => void,
  fail: (error: unknown) => void,
): { release(): void } {
  const tenancy = tenancyOf(owner);
  if (tenancy === undefined || tenantStorage.getStore() !== undefined) {
    start();
    return { release: () => undefined };
  }
  let entered: TenantContext | undefined;
  let released = false;
  tenancy.resolve(messageTenantSource(context)).then(
    (tenant) => {
      entered = tenant;
      if (released) return tenant.release();
      tenantStorage.run(tenant, start);
    },
    (error: unknown) => fail(asTransportError(context, error)),
  );
  return {
    release() {
      released = true;
      entered?.release();
    },
  };
}

/**
 * A refused message's error as its transport's exception (RpcException, WsException), so that the
 * caller gets the refusal's message rather than "Internal server error". Both packages are loaded
 * only here, by an application that has such handlers (they are optional peers of the module).
 */
function asTransportError(context: ExecutionContext, error: unknown): unknown {
  if (!(error instanceof TenantRejectedError)) return error;
  const type = context.getType();
  let exception: TransportException | undefined;
  if (type === 'rpc') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional peer, there when rpc handlers are
    exception = (require('@nestjs/microservices') as { RpcException: TransportException }).RpcException;
  } else if (type === 'ws') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional peer, there when gateways are
    exception = (require('@nestjs/websockets') as { WsException: TransportException }).WsException;
  }
  return exception ? new exception({ status: 'error', statusCode: error.status, message: error.message }) : error;
}
