import type { ServerResponse } from 'node:http';
import { TransactionConflictError } from '../../errors/transaction-conflict.error';
import { commitFailure } from '../../errors/commit-outcome';
import { sessionScopeStorage, type SessionScope } from '../../session/session-scope';
import { SerialQueue } from '../../transactions/serial-queue';
import { answerKeepsResolvedWork, answerWorkLost, type FieldRun, type LostWork } from './answer-outcome';
import { runFieldUndoably } from './field-savepoints';
import { runEndingHooksDetached } from '../report-ending';
import type { UnitsOfWork } from '../units-of-work';
import type { GraphQLAnswer } from './graphql-shapes';

const NOT_STORED: LostWork = {
  code: 'NOT_STORED',
  message:
    'Not stored: another part of this operation failed after this field was resolved, so none of its changes ' +
    'were kept. Retry the operation.',
};
const COMMIT_FAILED: LostWork = {
  code: 'COMMIT_FAILED',
  message:
    'The changes could not be saved: the database refused to commit them. Nothing was stored; retry the operation.',
};
const COMMIT_OUTCOME_UNKNOWN: LostWork = {
  code: 'COMMIT_OUTCOME_UNKNOWN',
  message:
    'The database connection was lost while the changes were being committed: they may or may not have been ' +
    'stored. Check before repeating the operation.',
};
const COMMIT_ROLLED_BACK: LostWork = {
  code: 'COMMIT_ROLLED_BACK',
  message:
    'The database connection was lost before the changes were committed: nothing was stored. The operation may ' +
    'be repeated.',
};
const TRANSACTION_CONFLICT: LostWork = {
  code: 'TRANSACTION_CONFLICT',
  message:
    'The database stopped the transaction because of a conflict with concurrent transactions; nothing was ' +
    'stored. The operation may be repeated.',
};

/**
 * One GraphQL operation as a unit of work: a session scope of its own, its top-level fields run one
 * after another, each undoable alone (field-savepoints.ts), and one end, decided by the answer
 * before it is sent: the work of the fields the answer carries is committed, nothing else.
 */
export class OperationUnit {
  readonly #scope: SessionScope;
  readonly #fields = new Map<string, FieldRun>();
  readonly #fieldsInTurn = new SerialQueue();
  #ended = false;
  /** The HTTP response that carries the operation's answer, when there is one. */
  #response?: ServerResponse;

  constructor(private readonly units: UnitsOfWork) {
    this.#scope = units.open('graphql');
  }

  /** The operation's sessions (nested fields run in it too, see nested-field-scope.ts). */
  get scope(): SessionScope {
    return this.#scope;
  }

  /** Runs a top-level field's resolver in the operation's scope, after the fields before it. */
  runField<T>(responseKey: string, nullable: boolean, resolve: () => Promise<T>): Promise<T> {
    if (this.#fields.size === 0 && this.#response === undefined) {
      this.#response = sessionScopeStorage.getStore()?.response;
      endWhenResponseCloses(this.#response, this);
    }
    return this.#fieldsInTurn.run(() =>
      sessionScopeStorage.run(this.#scope, async () => {
        try {
          const value = await runFieldUndoably(this.#scope, resolve);
          this.#fields.set(responseKey, { resolved: true, nullable });
          return value;
        } catch (error) {
          this.#fields.set(responseKey, { resolved: false, nullable });
          throw error;
        }
      }),
    );
  }

  /**
   * Ends the operation's sessions by its answer (`undefined`: no answer to read, nothing is kept)
   * and, where work the answer carries was not stored after all, changes the answer to say so.
   */
  async end(answer: GraphQLAnswer | undefined): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#response !== undefined) openByResponse.get(this.#response)?.delete(this);
    if (!this.#scope.hasSessions) return;
    const keeps = answerKeepsResolvedWork(answer, this.#fields);
    // The entry point's rule (entryPoints.graphql.commitMode), if any, replaces the bind keys' modes there.
    const ending = await this.units.end(this.#scope, 'graphql', keeps, 'a GraphQL operation');
    runEndingHooksDetached(ending);
    const commitError = ending.commitError;
    if (answer === undefined) return;
    if (!keeps) answerWorkLost(answer, this.#fields, NOT_STORED);
    else if (commitError !== undefined) answerWorkLost(answer, this.#fields, lostBy(commitError));
  }
}

/** The operations of each HTTP response that are not ended yet (one listener per response, whatever the batch). */
const openByResponse = new WeakMap<ServerResponse, Set<OperationUnit>>();

/**
 * A safety net: an operation whose transport never reported its answer (an execution that threw
 * before Mercurius' onResolution, say) is rolled back when its HTTP response closes, so that its
 * connection is never held for good. Normally the unit has ended before its answer was written.
 */
function endWhenResponseCloses(response: ServerResponse | undefined, unit: OperationUnit): void {
  if (response === undefined) return;
  let open = openByResponse.get(response);
  if (open === undefined) {
    const units = (open = new Set());
    openByResponse.set(response, units);
    response.once('close', () => {
      for (const pending of units) void pending.end(undefined);
    });
  }
  open.add(unit);
}

function lostBy(commitError: unknown): LostWork {
  if (commitError instanceof TransactionConflictError) return TRANSACTION_CONFLICT;
  const failure = commitFailure(commitError);
  return failure === 'refused' ? COMMIT_FAILED : failure === 'rolledBack' ? COMMIT_ROLLED_BACK : COMMIT_OUTCOME_UNKNOWN;
}
