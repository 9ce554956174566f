import type { DataSourceOptions } from 'typeorm';
import { Item } from './item.entity';

/** Plain TypeORM options for the variants that do not use the module (pool size 10, like the module's). */
export function benchDataSourceOptions(connectionString: string): DataSourceOptions {
  const url = new URL(connectionString.replace(/^sqlite:\/\/\//, 'sqlite://localhost/'));
  const common = { entities: [Item], synchronize: false, logging: false as const };
  if (url.protocol === 'sqlite:') {
    return { ...common, type: 'better-sqlite3', database: decodeURIComponent(url.pathname), enableWAL: true };
  }
  const credentials = {
    host: url.hostname,
    port: Number(url.port),
    username: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: url.pathname.slice(1),
    poolSize: 10,
  };
  if (url.protocol === 'postgresql:' || url.protocol === 'postgres:')
    return { ...common, ...credentials, type: 'postgres' };
  return { ...common, ...credentials, type: 'mariadb' };
}
