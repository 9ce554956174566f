import type { FieldInfo, GraphQLAnswer } from './graphql-shapes';
import { registerOperation } from './operation-registry';
import type { OperationUnit } from './operation-unit';

/** The part of an Apollo Server 4/5 response the plugin reads and changes. */
interface ApolloResponseContext {
  response: { body: { kind: string; singleResult?: GraphQLAnswer } };
}

/** An Apollo Server plugin, in the shape Apollo Server 4 and 5 call. */
export interface ApolloOperationPlugin {
  requestDidStart(): Promise<{
    executionDidStart(): Promise<{ willResolveField(field: { info: FieldInfo }): void }>;
    willSendResponse(context: ApolloResponseContext): Promise<void>;
  }>;
}

/**
 * Gives each operation Apollo Server runs (each one of a batch too) a unit of work, ended in
 * `willSendResponse`, which Apollo awaits before it writes the answer: the COMMIT comes first, and
 * a failed one is in the answer.
 */
export function apolloOperationPlugin(openUnit: () => OperationUnit): ApolloOperationPlugin {
  return {
    async requestDidStart() {
      const unit = openUnit();
      return {
        async executionDidStart() {
          return {
            willResolveField({ info }) {
              if (info.path.prev === undefined) registerOperation(info.variableValues, unit);
            },
          };
        },
        async willSendResponse({ response }) {
          const body = response.body;
          // An incremental answer is not read: nothing of it is kept.
          await unit.end(body.kind === 'single' ? body.singleResult : undefined);
        },
      };
    },
  };
}
