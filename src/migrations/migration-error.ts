import { AdvancedAlchemyError } from '../errors/advanced-alchemy.error';

/** A migration command failed; the message names the bind key and, when there is one, the migration. */
export class MigrationError extends AdvancedAlchemyError {}
