import { AdvancedAlchemyModule } from 'nestjs-advanced-alchemy';
import { Item } from '../item.entity';
import { oursVariant } from './ours';
import type { Variant } from './variant';

/** Where the bench finds the standby of its PostgreSQL server (`npm run bench:replicas` sets it). */
export const REPLICA_URL_VARIABLE = 'BENCH_POSTGRES_REPLICA_URL';

/**
 * `ours` with one read replica: the GETs read from the standby `BENCH_POSTGRES_REPLICA_URL` names
 * (the bench database's name is put into it), the POSTs write to the primary.
 */
export function oursReplicaVariant(): Variant {
  return oursVariant(undefined, {
    name: 'ours+replica',
    runsOn: (kind) => kind === 'postgres' && process.env[REPLICA_URL_VARIABLE] !== undefined,
    alchemyModule(connectionString) {
      const standby = process.env[REPLICA_URL_VARIABLE];
      if (!connectionString.startsWith('postgres') || standby === undefined) {
        throw new Error(
          `The ours+replica variant runs on PostgreSQL with a standby: run it through npm run bench:replicas, which sets ${REPLICA_URL_VARIABLE}.`,
        );
      }
      const replica = new URL(standby);
      replica.pathname = new URL(connectionString).pathname;
      return AdvancedAlchemyModule.forRoot({
        connectionString,
        replicas: [replica.toString()],
        entities: [Item],
        commitMode: 'autocommit',
        engineConfig: { poolSize: 10 },
      });
    },
  });
}
