import { AdvancedAlchemyError } from './advanced-alchemy.error';

/** A statement tried to write inside a `readOnly` unit; the database refused it (the driver's error is the `cause`). */
export class ReadOnlyTransactionError extends AdvancedAlchemyError {}
