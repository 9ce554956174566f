import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { BooksModule } from '../books/books.module';
import { LoansController } from './loans.controller';
import { LoansService } from './loans.service';

@Module({
  imports: [AuditModule, BooksModule],
  controllers: [LoansController],
  providers: [LoansService],
})
export class LoansModule {}
