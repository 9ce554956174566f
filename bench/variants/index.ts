import { clsVariant } from './cls';
import { graphqlVariant } from './graphql';
import { manualVariant } from './manual';
import { multiBindVariant } from './multi-bind';
import { slowVariant } from './slow';
import { oursVariant } from './ours';
import { oursInjectRepositoryVariant } from './ours-inject-repository';
import { oursReplicaVariant } from './ours-replica';
import { oursTenantVariant } from './ours-tenant';
import { oursDiagnosticsSubscriberVariant, oursOtelVariant } from './ours-observed';
import { pingVariant } from './ping';
import { rawVariant } from './raw';
import { reqscopeVariant } from './reqscope';
import { typeormTransactionalVariant } from './typeorm-transactional';
import { twoBindVariant } from './two-bind';
import type { Variant } from './variant';

export const VARIANTS: Record<string, () => Variant> = {
  raw: rawVariant,
  manual: () => manualVariant(),
  'manual+als': () => manualVariant(true),
  cls: clsVariant,
  'typeorm-transactional': typeormTransactionalVariant,
  reqscope: reqscopeVariant,
  ours: () => oursVariant(),
  'ours-inject-repository': oursInjectRepositoryVariant,
  'ours+required': () => oursVariant('REQUIRED'),
  'ours+nested': () => oursVariant('NESTED'),
  'ours+2bind': () => twoBindVariant(false),
  'ours+2bind+twophase': () => twoBindVariant(true),
  'ours+replica': oursReplicaVariant,
  'ours+diagnostics-subscriber': oursDiagnosticsSubscriberVariant,
  'ours+otel': oursOtelVariant,
  // Tenancy (docs/tenancy.md): a tenant resolved per request, in its schema or its own DataSource.
  'ours+tenant-schema': () => oursTenantVariant('schema'),
  'ours+tenant-database': () => oursTenantVariant('database'),
  // GraphQL (Apollo on Express): not in the default list, run with --variants graphql-manual,graphql-ours.
  'graphql-manual': () => graphqlVariant('manual'),
  'graphql-ours': () => graphqlVariant('ours'),
  ping: () => pingVariant(false),
  'ping+module': () => pingVariant(true),
  // The scaling bench's (bench/scaling.ts).
  'manual-binds': () => multiBindVariant('manual'),
  'ours-binds': () => multiBindVariant('ours'),
  'manual-slow': () => slowVariant('manual'),
  'ours-slow': () => slowVariant('ours'),
};
