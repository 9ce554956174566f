import { Module, type DynamicModule } from '@nestjs/common';
import { AdvancedAlchemyModule } from 'nestjs-advanced-alchemy';
import { Book } from './books/book.entity';
import { BooksModule } from './books/books.module';

/** Where the sample keeps its data when DATABASE_URL is not set: a SQLite file under ./data. */
export const DEFAULT_DATABASE_URL = 'sqlite:///data/sample.db';

@Module({})
export class AppModule {
  /** The sample application on a database; `main.ts` passes DATABASE_URL, the e2e tests a database of their own. */
  static forRoot(connectionString: string = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AdvancedAlchemyModule.forRoot({
          connectionString,
          entities: [Book],
          createAll: true,
          commitMode: 'autocommit',
        }),
        BooksModule,
      ],
    };
  }
}
