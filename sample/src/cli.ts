// The sample's `database` command line: `npm run db -- upgrade`, `npm run db -- make-migrations -m …`.
import { runDatabaseCli } from 'nestjs-advanced-alchemy';
import { AppModule } from './app.module';

void runDatabaseCli(AppModule.forRoot({ seed: false }));
