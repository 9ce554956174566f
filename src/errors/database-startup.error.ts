import { AdvancedAlchemyError } from './advanced-alchemy.error';

/** Thrown at startup when a bind key's database cannot be reached or prepared. */
export class DatabaseStartupError extends AdvancedAlchemyError {}
