import { renderStatement } from './sql-recorder';

describe('renderStatement', () => {
  it('ends statements with a semicolon', () => {
    expect(renderStatement({ sql: 'DROP TABLE "a"' })).toBe('DROP TABLE "a";');
    expect(renderStatement({ sql: 'DROP TABLE "a";  ' })).toBe('DROP TABLE "a";');
  });

  it('writes simple parameters in, outside quoted text', () => {
    expect(renderStatement({ sql: `INSERT INTO "t" ("n", "s") VALUES (?, ?) -- '?'`, parameters: [7, "it's"] })).toBe(
      `INSERT INTO "t" ("n", "s") VALUES (7, 'it''s') -- '?';`,
    );
    expect(renderStatement({ sql: 'DELETE FROM "t" WHERE "a" = $2 AND "b" = $1', parameters: ['x', null] })).toBe(
      `DELETE FROM "t" WHERE "a" = NULL AND "b" = 'x';`,
    );
  });

  it('lists parameters it cannot write as literals in a comment', () => {
    expect(renderStatement({ sql: 'INSERT INTO "t" ("j") VALUES (?)', parameters: [{ a: 1 }] })).toBe(
      'INSERT INTO "t" ("j") VALUES (?); -- parameters: [{"a":1}]',
    );
  });
});
