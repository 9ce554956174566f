import type { TestDatabaseKind } from 'nestjs-advanced-alchemy/testing';

/**
 * `describe.each(kinds)`, or a skipped block when none of `kinds` is reachable (a laptop without
 * PostgreSQL or MariaDB): Jest refuses `describe.each([])`, which would fail the whole run. Jest
 * still runs a skipped block's body to collect its tests, so it gets a kind to name.
 */
export function eachKind<Kind extends TestDatabaseKind>(kinds: Kind[]) {
  return kinds.length > 0 ? describe.each(kinds) : describe.skip.each<Kind>(['postgres' as Kind]);
}
