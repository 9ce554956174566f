import { literalPattern, parseLikePattern, textMatchSql, toGlobValue, toLikeValue } from './like-pattern';

describe('text patterns', () => {
  it('a literal value keeps %, _ and ! literal in LIKE, and *, ? and [ literal in GLOB', () => {
    const parts = literalPattern('5%_!*?[x]', 'contains');
    expect(toLikeValue(parts)).toBe('%5!%!_!!*?[x]%');
    expect(toGlobValue(parts)).toBe('*5%_![*][?][[]x]*');
  });

  it('startsWith/endsWith anchor one side; an empty literal matches anything', () => {
    expect(toLikeValue(literalPattern('ab', 'startsWith'))).toBe('ab%');
    expect(toLikeValue(literalPattern('ab', 'endsWith'))).toBe('%ab');
    expect(toLikeValue(literalPattern('', 'contains'))).toBe('%%');
  });

  it('parses % and _ as wildcards, a backslash as an escape, a trailing backslash as itself', () => {
    expect(parseLikePattern('a%b_c')).toEqual([{ literal: 'a' }, 'any', { literal: 'b' }, 'one', { literal: 'c' }]);
    expect(parseLikePattern('100\\%\\_\\\\')).toEqual([{ literal: '100%_\\' }]);
    expect(parseLikePattern('x\\')).toEqual([{ literal: 'x\\' }]);
    expect(parseLikePattern('😀_')).toEqual([{ literal: '😀' }, 'one']);
  });

  it('renders per dialect: LIKE with ESCAPE, GLOB on SQLite, a binary collation on MySQL', () => {
    const parts = literalPattern('a', 'contains');
    expect(textMatchSql('postgres', '"t"', 'p', parts, false).sql).toBe(`"t" LIKE :p ESCAPE '!'`);
    expect(textMatchSql('postgres', '"t"', 'p', parts, true).sql).toBe(`LOWER("t") LIKE LOWER(:p) ESCAPE '!'`);
    expect(textMatchSql('sqlite', '"t"', 'p', parts, false)).toEqual({ sql: '"t" GLOB :p', value: '*a*' });
    expect(textMatchSql('sqlite', '"t"', 'p', parts, true).sql).toBe(`LOWER("t") LIKE LOWER(:p) ESCAPE '!'`);
    expect(textMatchSql('mysql', '`t`', 'p', parts, true).sql).toBe(
      "LOWER(CONVERT(`t` USING utf8mb4)) COLLATE utf8mb4_bin LIKE LOWER(CONVERT(:p USING utf8mb4)) COLLATE utf8mb4_bin ESCAPE '!'",
    );
  });
});
