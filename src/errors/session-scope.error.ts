import { AdvancedAlchemyError } from './advanced-alchemy.error';

/** Thrown when a session is used where no session scope is active (outside a request and outside `withSession`). */
export class SessionScopeError extends AdvancedAlchemyError {}
