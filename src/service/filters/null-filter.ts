import type { FilterContext } from './filter-context';
import { WhereFilter, type SqlCondition } from './statement-filter';

/** Rows where the field is NULL. */
export class NullFilter extends WhereFilter {
  constructor(readonly field: string) {
    super();
  }

  toCondition(context: FilterContext): SqlCondition {
    return { sql: `${context.column(this.field).sql} IS NULL`, parameters: {} };
  }
}

/** Rows where the field is not NULL. */
export class NotNullFilter extends WhereFilter {
  constructor(readonly field: string) {
    super();
  }

  toCondition(context: FilterContext): SqlCondition {
    return { sql: `${context.column(this.field).sql} IS NOT NULL`, parameters: {} };
  }
}
