import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AdvancedAlchemy } from 'nestjs-advanced-alchemy';
import { AuthorsService } from '../authors/authors.service';
import { BooksService } from '../books/books.service';

/** Whether the catalogue seeds itself at startup (AppModule.forRoot's `seed` option). */
export const SEED_ON_STARTUP = Symbol('SEED_ON_STARTUP');

const SEED: Array<{ name: string; birthYear: number; books: Array<[title: string, isbn: string, year: number]> }> = [
  {
    name: 'Ursula K. Le Guin',
    birthYear: 1929,
    books: [
      ['A Wizard of Earthsea', '978-0-547-72202-3', 1968],
      ['The Left Hand of Darkness', '978-0-441-47812-5', 1969],
    ],
  },
  { name: 'Frank Herbert', birthYear: 1920, books: [['Dune', '978-0-441-17271-9', 1965]] },
  {
    name: 'Octavia E. Butler',
    birthYear: 1947,
    books: [
      ['Kindred', '978-0-8070-8369-7', 1979],
      ['Parable of the Sower', '978-1-5387-3218-2', 1993],
    ],
  },
];

/**
 * Puts a few authors and books in an empty catalogue when the application starts. There is no
 * request at startup, so it opens a session scope with `withSession`: the services' injected
 * sessions work inside it, and it commits when the function resolves (rolls back if it throws).
 * Seeding is not a user's change, so it writes no audit entries.
 */
@Injectable()
export class SeedService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Seed');

  constructor(
    private readonly alchemy: AdvancedAlchemy,
    private readonly authors: AuthorsService,
    private readonly books: BooksService,
    @Inject(SEED_ON_STARTUP) private readonly enabled: boolean,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.enabled) return;
    const seeded = await this.alchemy.withSession('default', async () => {
      if ((await this.authors.exists()) || (await this.books.exists())) return false;
      for (const { books, ...author } of SEED) {
        const { id: authorId } = await this.authors.create(author);
        await this.books.createMany(
          books.map(([title, isbn, publishedYear]) => ({ title, isbn, publishedYear, authorId })),
        );
      }
      return true;
    });
    if (seeded) {
      const books = SEED.reduce((sum, author) => sum + author.books.length, 0);
      this.logger.log(`The catalogue was empty: added ${SEED.length} authors and ${books} books.`);
    }
  }
}
