import {
  classifyStatement,
  isPlainRead,
  isReadingStatement,
  isWritingStatement,
  PLAIN_READ,
  READS,
  WRITES,
} from './statement-kind';

describe('statement kind', () => {
  it.each([
    'SELECT "Item"."id" AS "Item_id" FROM "items" "Item" WHERE "Item"."id" = $1',
    '  /* comment */ select 1',
    '-- leading comment\nSELECT 1',
    '(SELECT 1) UNION (SELECT 2)',
    'WITH recent AS (SELECT * FROM items) SELECT count(*) FROM recent',
    'SHOW transaction_isolation',
  ])('a plain read: %s', (sql) => {
    expect(isPlainRead(sql)).toBe(true);
    expect(isWritingStatement(sql)).toBe(false);
  });

  it.each([
    'SELECT * FROM items WHERE id = 1 FOR UPDATE',
    'SELECT * FROM items FOR NO KEY UPDATE',
    'SELECT * FROM items FOR SHARE',
    'SELECT * FROM items FOR KEY SHARE SKIP LOCKED',
    'SELECT * FROM items LOCK IN SHARE MODE',
    'WITH moved AS (DELETE FROM items RETURNING *) SELECT * FROM moved',
    'SELECT * INTO copy FROM items',
    "SELECT nextval('items_id_seq')",
    'SELECT pg_advisory_lock(1)',
    "SELECT GET_LOCK('name', 10)",
    "SELECT set_config('search_path', 'x', false)",
    'INSERT INTO items (name) VALUES ($1)',
    'UPDATE items SET name = $1',
    'DELETE FROM items',
    'CREATE TABLE t (id int)',
    'START TRANSACTION',
    'BEGIN',
    'SET TIME ZONE UTC',
    'CALL refresh_totals()',
    'LOCK TABLE items',
  ])('not a plain read: %s', (sql) => {
    expect(isPlainRead(sql)).toBe(false);
  });

  it.each([
    'SELECT 1',
    'SELECT * FROM items FOR UPDATE',
    'WITH moved AS (DELETE FROM items RETURNING *) SELECT * FROM moved',
    'INSERT INTO items (name) VALUES ($1)',
    'BEGIN',
    'SHOW transaction_isolation',
    "SELECT nextval('items_id_seq')",
    'WITH recent AS (SELECT * FROM items) SELECT count(*) FROM recent',
    'SELECT * INTO copy FROM items',
    'UPDATE items SET name = $1',
    'CREATE TABLE t (id int)',
    'LOCK TABLE items',
    '  /* comment */ select 1',
    '(SELECT 1) UNION (SELECT 2)',
  ])('one classification says what the three predicates say: %s', (sql) => {
    const statementClass = classifyStatement(sql);
    expect((statementClass & WRITES) !== 0).toBe(isWritingStatement(sql));
    expect((statementClass & READS) !== 0).toBe(isReadingStatement(sql));
    expect((statementClass & PLAIN_READ) !== 0).toBe(isPlainRead(sql));
  });
});
