import { AdvancedAlchemyError } from './advanced-alchemy.error';

/**
 * A transactional unit cannot run as asked: `MANDATORY` without a transaction, `NEVER` inside one,
 * an isolation level or read-only mode that differs from the transaction it joins, or a second
 * connection that SQLite's single connection cannot give.
 */
export class TransactionPropagationError extends AdvancedAlchemyError {}
