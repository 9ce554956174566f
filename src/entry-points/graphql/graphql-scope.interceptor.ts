import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { sessionScopeStorage } from '../../session/session-scope';
import { SKIP_SESSION_SCOPE } from '../skip-session-scope.decorator';
import type { FieldInfo, GraphQLAnswer } from './graphql-shapes';
import { operationOf } from './operation-registry';
import { graphqlRuleOf } from './graphql-rules';
import { OperationUnit } from './operation-unit';
import { unitOpenerByContext, type SubscriptionContext } from './subscription-events';
import { socketOperationUnit, socketUnitOpener } from './websocket-operations';

/**
 * Put first on every resolver class: runs each top-level Query and Mutation field in the unit of
 * its operation (opened by the transport's hooks, see apollo-operation-plugin.ts). A field whose
 * operation has no unit (executed outside those hooks) gets a unit of its own, ended by the field.
 * One instance for every application: a resolver class's metadata is shared by all the
 * applications of a process, so what differs per application is found at run time.
 */
class GraphqlScopeInterceptor implements NestInterceptor {
  readonly #reflector = new Reflector();

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType<string>() !== 'graphql') return next.handle();
    const info = context.getArgByIndex<FieldInfo | undefined>(3);
    if (info?.path === undefined || info.path.prev !== undefined) return next.handle();
    const skipped = this.#reflector.getAllAndOverride<boolean | undefined>(SKIP_SESSION_SCOPE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (skipped === true) return next.handle();
    const key = String(info.path.key);
    const nullable = !info.returnType.toString().endsWith('!');
    const resolve = (): Promise<unknown> => lastValueFrom(next.handle(), { defaultValue: undefined });
    const graphqlContext = context.getArgByIndex<object | undefined>(2);
    if (info.operation?.operation === 'subscription') {
      // The subscription's start (its subscribe function): a short unit of its own, never the
      // WebSocket connection's; each event is a unit of its own (subscription-events.ts).
      const openUnit = socketUnitOpener() ?? unitOpenerByContext(graphqlContext as SubscriptionContext | undefined);
      return openUnit === undefined ? next.handle() : from(runAlone(openUnit(), key, nullable, resolve));
    }
    // Apollo's operations are known by their variables, Mercurius' by their context (see the hooks),
    // those graphql-ws runs over a WebSocket by graphql-ws' execute (websocket-operations.ts).
    const operation =
      operationOf(info.variableValues) ?? operationOf(graphqlContext) ?? socketOperationUnit(info.variableValues);
    if (operation !== undefined) return from(operation.runField(key, nullable, resolve));
    const openUnit = graphqlRuleOf(sessionScopeStorage.getStore()?.owner);
    if (openUnit === undefined) return next.handle();
    return from(runAlone(openUnit(), key, nullable, resolve));
  }
}

/** The one interceptor the module puts on resolver classes. */
export const graphqlScopeInterceptor: NestInterceptor = new GraphqlScopeInterceptor();

/** A field with no operation unit: a unit of its own, kept when the resolver resolves. */
async function runAlone(
  unit: OperationUnit,
  key: string,
  nullable: boolean,
  resolve: () => Promise<unknown>,
): Promise<unknown> {
  let value: unknown;
  try {
    value = await unit.runField(key, nullable, resolve);
  } catch (error) {
    await unit.end(undefined);
    throw error;
  }
  const answer: GraphQLAnswer = { data: { [key]: value } };
  await unit.end(answer);
  const lost = answer.errors?.[0];
  if (lost !== undefined) throw new Error(lost.message);
  return value;
}
