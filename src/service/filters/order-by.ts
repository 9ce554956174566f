import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { InvalidFilterError } from '../../errors/invalid-filter.error';
import { FilterContext } from './filter-context';
import { StatementFilter } from './statement-filter';

/** The direction of an `OrderBy`. */
export type SortOrder = 'asc' | 'desc';

/**
 * Orders rows by a field. Several `OrderBy` filters order by each in turn; the repository service
 * always ends the ordering with the primary key, so rows that tie keep a stable order across pages.
 * Where NULLs sort follows the database (first ascending on MariaDB and SQLite, last on PostgreSQL).
 */
export class OrderBy extends StatementFilter {
  constructor(
    readonly field: string,
    readonly sortOrder: SortOrder = 'asc',
  ) {
    super();
    if (sortOrder !== 'asc' && sortOrder !== 'desc') {
      throw new InvalidFilterError(`The sort order must be "asc" or "desc" (got ${JSON.stringify(sortOrder)}).`);
    }
  }

  override apply<Q extends SelectQueryBuilder<ObjectLiteral>>(queryBuilder: Q): Q {
    const resolved = FilterContext.of(queryBuilder).column(this.field, 'order');
    queryBuilder.addOrderBy(resolved.sql, this.sortOrder === 'asc' ? 'ASC' : 'DESC');
    return queryBuilder;
  }
}
