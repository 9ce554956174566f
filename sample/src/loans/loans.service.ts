import { ConflictException, Injectable, UnprocessableEntityException } from '@nestjs/common';
import { AlchemyRepositoryService, InjectSession, type Session } from 'nestjs-advanced-alchemy';
import { BooksService } from '../books/books.service';
import type { CreateLoanDto } from './dto/loan.dto';
import { Loan } from './loan.entity';

/** The repository service of `Loan`, with the two rules of lending. */
@Injectable()
export class LoansService extends AlchemyRepositoryService<Loan> {
  constructor(
    @InjectSession() session: Session,
    private readonly books: BooksService,
  ) {
    super(session, Loan);
  }

  /** Lends a book that exists and is not on loan already. */
  async lend(dto: CreateLoanDto): Promise<Loan> {
    if (!(await this.books.exists({ id: dto.bookId }))) {
      throw new UnprocessableEntityException(`There is no book ${dto.bookId}.`);
    }
    if (await this.exists({ bookId: dto.bookId, returnedAt: null })) {
      throw new ConflictException(`Book ${dto.bookId} is on loan already.`);
    }
    return this.create(dto);
  }

  /** Closes an open loan; a 404 for no loan, a 409 for a loan returned already. */
  async giveBack(id: number): Promise<Loan> {
    const loan = await this.get(id);
    if (loan.returnedAt !== null) throw new ConflictException(`Loan ${id} was returned already.`);
    return this.update(loan, { returnedAt: new Date() });
  }
}
