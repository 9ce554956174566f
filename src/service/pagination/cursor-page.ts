import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { InvalidFilterError } from '../../errors/invalid-filter.error';
import { StatementFilter } from '../filters/statement-filter';

export interface CursorPageOptions {
  /**
   * The key cursors are signed with (HMAC-SHA256), 16 bytes or more. Give the same one to every
   * instance of the application; without it each process signs with a random key of its own, so
   * cursors do not outlive a restart or cross instances.
   */
  secret?: string | Buffer;
}

/**
 * A page of `limit` rows after `cursor` (the `nextCursor` of the page before; none for the first
 * page), in the order of the `OrderBy` filters beside it with the primary key last. Read it with
 * `listByCursor`. Rows inserted or deleted between pages neither repeat nor skip the others.
 */
export class CursorPage extends StatementFilter {
  constructor(
    readonly limit: number,
    readonly cursor?: string,
    readonly options: CursorPageOptions = {},
  ) {
    super();
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new InvalidFilterError(`limit must be a whole number of 1 or more (got ${String(limit)}).`);
    }
  }

  override apply<Q extends SelectQueryBuilder<ObjectLiteral>>(): Q {
    throw new InvalidFilterError('A CursorPage is read by listByCursor(), not by list() or a query builder.');
  }
}

/** A page of `listByCursor`: the items, the limit, and the cursor of the next page (null on the last). */
export class CursorPagination<Item> {
  constructor(
    readonly items: Item[],
    readonly limit: number,
    readonly nextCursor: string | null,
  ) {}
}
