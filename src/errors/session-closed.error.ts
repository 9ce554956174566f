import { AdvancedAlchemyError } from './advanced-alchemy.error';

/** Thrown when a closed session (its request has ended) is used again. */
export class SessionClosedError extends AdvancedAlchemyError {}
