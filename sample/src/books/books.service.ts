import { Injectable, UnprocessableEntityException } from '@nestjs/common';
import { AlchemyRepositoryService, AlchemyServiceMixin, InjectSession, type Session } from 'nestjs-advanced-alchemy';
import { AuthorsService } from '../authors/authors.service';
import { Book } from './book.entity';

/**
 * The repository service of `Book`, with `jsonify` added by `AlchemyServiceMixin` (a JSON response
 * with the status and headers of your choice, which is also the status the commit mode looks at).
 */
@Injectable()
export class BooksService extends AlchemyServiceMixin(AlchemyRepositoryService<Book>) {
  constructor(
    @InjectSession() session: Session,
    private readonly authors: AuthorsService,
  ) {
    super(session, Book);
  }

  /** A 422 naming the author when `authorId` is not an author, before anything is written. */
  async assertAuthorsExist(authorIds: Iterable<string>): Promise<void> {
    for (const id of new Set(authorIds)) {
      if (!(await this.authors.exists({ id }))) throw new UnprocessableEntityException(`There is no author ${id}.`);
    }
  }
}
