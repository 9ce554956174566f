import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { AdvancedAlchemy } from '../../core/advanced-alchemy';
import type { CommitMode } from '../../config/commit-mode';
import { SKIP_SESSION_SCOPE } from '../skip-session-scope.decorator';
import type { FieldInfo, GraphQLAnswer } from './graphql-shapes';
import { operationOf } from './operation-registry';
import { OperationUnit } from './operation-unit';

/**
 * Put first on every resolver class: runs each top-level Query and Mutation field in the unit of
 * its operation (opened by the transport's hooks, see apollo-operation-plugin.ts). A field whose
 * operation has no unit (executed outside those hooks) gets a unit of its own, ended by the field.
 */
export class GraphqlScopeInterceptor implements NestInterceptor {
  constructor(
    private readonly alchemy: () => AdvancedAlchemy,
    private readonly reflector: Reflector,
    private readonly commitMode: CommitMode | undefined,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType<string>() !== 'graphql') return next.handle();
    const info = context.getArgByIndex<FieldInfo | undefined>(3);
    if (info?.path === undefined || info.path.prev !== undefined) return next.handle();
    if (info.operation?.operation === 'subscription') return next.handle();
    const skipped = this.reflector.getAllAndOverride<boolean | undefined>(SKIP_SESSION_SCOPE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (skipped === true) return next.handle();
    const key = String(info.path.key);
    const nullable = !info.returnType.toString().endsWith('!');
    // Apollo's operations are known by their variables, Mercurius' by their context (see the hooks).
    const operation = operationOf(info.variableValues) ?? operationOf(context.getArgByIndex<object | undefined>(2));
    const resolve = (): Promise<unknown> => lastValueFrom(next.handle(), { defaultValue: undefined });
    if (operation !== undefined) return from(operation.runField(key, nullable, resolve));
    return from(this.runAlone(key, nullable, resolve));
  }

  /** A field with no operation unit: a unit of its own, kept when the resolver resolves. */
  private async runAlone(key: string, nullable: boolean, resolve: () => Promise<unknown>): Promise<unknown> {
    const unit = new OperationUnit(this.alchemy(), this.commitMode);
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
}
