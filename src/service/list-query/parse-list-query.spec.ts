import { BadRequestException } from '@nestjs/common';
import { BeforeAfter } from '../filters/before-after';
import { BooleanFilter, ChoicesFilter } from '../filters/choices-filter';
import { CollectionFilter, NotInCollectionFilter } from '../filters/collection-filter';
import { MultiFilter } from '../filters/multi-filter';
import { CursorPage } from '../pagination/cursor-page';
import { LimitOffset } from '../filters/limit-offset';
import { OrderBy } from '../filters/order-by';
import { SearchFilter } from '../filters/search-filter';
import { ListQuery } from './list-query.decorator';
import type { ListQueryOptions } from './list-query-options';
import { listQueryFilters, parseListQuery } from './parse-list-query';

function problems(query: Record<string, unknown>, options: ListQueryOptions = {}): string[] {
  try {
    parseListQuery(query, options);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestException);
    return ((error as BadRequestException).getResponse() as { message: string[] }).message;
  }
}

describe('parseListQuery and listQueryFilters', () => {
  it('converts query strings and builds the filters asked for', () => {
    const options = { searchFields: ['title', 'genre'] };
    const dto = parseListQuery(
      {
        limit: '5',
        offset: '10',
        orderBy: 'title',
        sortOrder: 'desc',
        searchString: 'ab',
        searchIgnoreCase: 'true',
        ids: ['a,b', 'c'],
        createdAfter: '2024-01-01T00:00:00Z',
        other: 'ignored',
      },
      options,
    );
    const filters = listQueryFilters(dto, options);
    expect(filters).toEqual([
      new LimitOffset(5, 10),
      new OrderBy('title', 'desc'),
      expect.objectContaining({ fields: ['title', 'genre'], value: 'ab', ignoreCase: true }),
      expect.objectContaining({ field: 'id', values: ['a', 'b', 'c'] }),
      expect.objectContaining({ field: 'createdAt', before: undefined, after: new Date('2024-01-01T00:00:00Z') }),
    ]);
    expect(filters.map((filter) => filter.constructor)).toEqual([
      LimitOffset,
      OrderBy,
      SearchFilter,
      CollectionFilter,
      BeforeAfter,
    ]);
  });

  it('uses the defaults: defaultLimit (capped by maxLimit), defaultOrderBy, the field options', () => {
    expect(listQueryFilters(parseListQuery({}), {})).toEqual([new LimitOffset(20, 0)]);
    expect(listQueryFilters(parseListQuery({}), { maxLimit: 5 })).toEqual([new LimitOffset(5, 0)]);
    const filters = listQueryFilters(parseListQuery({ updatedBefore: '2024-01-01', ids: 'x' }), {
      defaultOrderBy: 'name',
      defaultSortOrder: 'desc',
      idField: 'key',
      updatedAtField: 'modified',
    });
    expect(filters.slice(1)).toEqual([
      new OrderBy('name', 'desc'),
      expect.objectContaining({ field: 'key', values: ['x'] }),
      expect.objectContaining({ field: 'modified', before: new Date('2024-01-01') }),
    ]);
  });

  it('lists every problem in one 400', () => {
    expect(problems({ limit: '500', offset: 'x', searchString: 'a' })).toEqual([
      'offset must be a whole number',
      'limit must not be greater than 100',
      'searchString is not supported here',
    ]);
    expect(problems({ orderBy: 'drop table' })).toEqual(['orderBy must be a field name']);
    expect(problems({ ids: [''] })).toEqual(['each value in ids should not be empty']);
  });

  it('cursor pagination: a CursorPage instead of a LimitOffset, and offset refused', () => {
    const options = { pagination: 'cursor' as const, cursorSecret: 'sixteen bytes or more' };
    const [page] = listQueryFilters(parseListQuery({ limit: '3', cursor: 'abc.def' }, options), options);
    expect(page).toBeInstanceOf(CursorPage);
    expect(page).toMatchObject({ limit: 3, cursor: 'abc.def' });
    expect(problems({ offset: '2' }, options)).toEqual([
      'offset is not supported here: pages follow each other by cursor',
    ]);
    expect(problems({ cursor: 'abc.def' })).toEqual(['cursor is not supported here']);
  });

  it('fieldFilters and filter: per-field parameters and a MultiFilter, each bad value named in the one 400', () => {
    const options = {
      fieldFilters: {
        genre: { in: true, notIn: true },
        available: { boolean: true as const },
        status: { choices: ['open', 'closed'], multiple: true },
      },
      multiFilter: { fields: { title: ['eq' as const] } },
    };
    const filters = listQueryFilters(
      parseListQuery(
        {
          genreIn: 'a,b',
          genreNotIn: ['c'],
          available: 'false',
          status: 'open,closed',
          filter: '{"field":"title","op":"eq","value":"x"}',
        },
        options,
      ),
      options,
    );
    expect(filters.slice(1).map((filter) => filter.constructor)).toEqual([
      CollectionFilter,
      NotInCollectionFilter,
      BooleanFilter,
      ChoicesFilter,
      MultiFilter,
    ]);
    expect(filters[1]).toMatchObject({ field: 'genre', values: ['a', 'b'] });
    expect(
      problems({ available: 'maybe', status: 'lost', filter: '{"field":"password","op":"eq","value":"x"}' }, options),
    ).toEqual([
      'available must be true or false',
      'status must be one of: open, closed',
      'filter: "password" is not a field you may filter on (allowed: title).',
    ]);
    expect(problems({ filter: '{}' })).toEqual(['filter is not supported here']);
  });

  it('the decorator refuses impossible options when it is applied', () => {
    expect(() => ListQuery({ maxLimit: 0 })).toThrow(TypeError);
    expect(() => ListQuery({ maxLimit: 10, defaultLimit: 11 })).toThrow(TypeError);
  });
});
