import { Module, type DynamicModule } from '@nestjs/common';
import { AuthorsModule } from '../authors/authors.module';
import { BooksModule } from '../books/books.module';
import { SEED_ON_STARTUP, SeedService } from './seed.service';

@Module({})
export class SeedModule {
  static forRoot(enabled: boolean): DynamicModule {
    return {
      module: SeedModule,
      imports: [AuthorsModule, BooksModule],
      providers: [SeedService, { provide: SEED_ON_STARTUP, useValue: enabled }],
    };
  }
}
