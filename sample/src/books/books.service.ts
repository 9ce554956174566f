import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectSession, type Session } from 'nestjs-advanced-alchemy';
import { Book } from './book.entity';
import type { CreateBookDto } from './dto/create-book.dto';
import type { UpdateBookDto } from './dto/update-book.dto';

/**
 * A singleton: the injected session resolves to the current request's own session on every use,
 * and the module commits it when the response is 2xx (commitMode 'autocommit'). No transaction
 * code here.
 */
@Injectable()
export class BooksService {
  constructor(@InjectSession() private readonly session: Session) {}

  private get books() {
    return this.session.getRepository(Book);
  }

  create(dto: CreateBookDto): Promise<Book> {
    return this.books.save(this.books.create({ title: dto.title, author: dto.author }));
  }

  findAll(): Promise<Book[]> {
    return this.books.find({ order: { id: 'ASC' } });
  }

  async findOne(id: number): Promise<Book> {
    const book = await this.books.findOneBy({ id });
    if (!book) throw new NotFoundException(`Book ${id} not found`);
    return book;
  }

  async update(id: number, dto: UpdateBookDto): Promise<Book> {
    const book = await this.findOne(id);
    // Only the fields the client sent: an absent field keeps its stored value.
    if (dto.title !== undefined) book.title = dto.title;
    if (dto.author !== undefined) book.author = dto.author;
    return this.books.save(book);
  }

  async remove(id: number): Promise<void> {
    await this.books.remove(await this.findOne(id));
  }
}
