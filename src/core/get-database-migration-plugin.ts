import type { INestApplicationContext } from '@nestjs/common';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import { AdvancedAlchemy } from './advanced-alchemy';

/** The application's `AdvancedAlchemy` object, for tools such as the migration command line. */
export function getDatabaseMigrationPlugin(app: INestApplicationContext): AdvancedAlchemy {
  try {
    return app.get(AdvancedAlchemy, { strict: false });
  } catch {
    throw new ImproperConfigurationError(
      'Failed to initialize database migrations. The Advanced Alchemy extension is not properly configured: ' +
        'import AdvancedAlchemyModule.forRoot(...) in the application module.',
    );
  }
}
