import { AdvancedAlchemyError } from './advanced-alchemy.error';

/**
 * The database of a bind key cannot be reached (refused, dropped or shutting down). The module
 * answers it with 503 and `Retry-After`; the driver's error is the `cause`.
 */
export class DatabaseUnavailableError extends AdvancedAlchemyError {}
