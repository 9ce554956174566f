import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { InvalidFilterError } from '../../errors/invalid-filter.error';
import { StatementFilter } from './statement-filter';

/** A page of rows: at most `limit` rows after skipping `offset`. */
export class LimitOffset extends StatementFilter {
  constructor(
    readonly limit: number,
    readonly offset = 0,
  ) {
    super();
    for (const [name, value] of [
      ['limit', limit],
      ['offset', offset],
    ] as const) {
      if (!Number.isSafeInteger(value) || value < 0) {
        throw new InvalidFilterError(`${name} must be a whole number of 0 or more (got ${String(value)}).`);
      }
    }
  }

  override apply<Q extends SelectQueryBuilder<ObjectLiteral>>(queryBuilder: Q): Q {
    queryBuilder.limit(this.limit).offset(this.offset);
    return queryBuilder;
  }
}
