import { AdvancedAlchemyError } from './advanced-alchemy.error';

/** Thrown when a session waited longer than `engineConfig.poolTimeout` for its connection. */
export class SessionAcquireTimeoutError extends AdvancedAlchemyError {}
