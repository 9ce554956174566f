import { Module } from '@nestjs/common';
import { BooksController } from './books.controller';
import { BooksService } from './books.service';

/** The books API. It needs AdvancedAlchemyModule (global) to be imported by the root module. */
@Module({
  controllers: [BooksController],
  providers: [BooksService],
})
export class BooksModule {}
