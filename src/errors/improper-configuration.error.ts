import { AdvancedAlchemyError } from './advanced-alchemy.error';

/** Thrown at startup (or on first use) when the configuration cannot work; the message names the field and the fix. */
export class ImproperConfigurationError extends AdvancedAlchemyError {}
