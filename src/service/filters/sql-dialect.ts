import type { Driver } from 'typeorm';

/** The SQL families whose differences the filters care about (LIKE, case folding, collations). */
export type SqlDialect = 'postgres' | 'mysql' | 'sqlite' | 'other';

const DIALECTS: Record<string, SqlDialect> = {
  postgres: 'postgres',
  'aurora-postgres': 'postgres',
  cockroachdb: 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
  'aurora-mysql': 'mysql',
  'better-sqlite3': 'sqlite',
  sqlite: 'sqlite',
  sqljs: 'sqlite',
  capacitor: 'sqlite',
  cordova: 'sqlite',
  expo: 'sqlite',
  'react-native': 'sqlite',
  nativescript: 'sqlite',
};

/** The dialect of a TypeORM driver. */
export function dialectOf(driver: Driver): SqlDialect {
  return DIALECTS[String(driver.options.type)] ?? 'other';
}
