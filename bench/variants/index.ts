import { clsVariant } from './cls';
import { manualVariant } from './manual';
import { oursVariant } from './ours';
import { oursInjectRepositoryVariant } from './ours-inject-repository';
import { oursDiagnosticsSubscriberVariant, oursOtelVariant } from './ours-observed';
import { pingVariant } from './ping';
import { rawVariant } from './raw';
import { reqscopeVariant } from './reqscope';
import { typeormTransactionalVariant } from './typeorm-transactional';
import type { Variant } from './variant';

export const VARIANTS: Record<string, () => Variant> = {
  raw: rawVariant,
  manual: manualVariant,
  cls: clsVariant,
  'typeorm-transactional': typeormTransactionalVariant,
  reqscope: reqscopeVariant,
  ours: () => oursVariant(),
  'ours-inject-repository': oursInjectRepositoryVariant,
  'ours+required': () => oursVariant('REQUIRED'),
  'ours+nested': () => oursVariant('NESTED'),
  'ours+diagnostics-subscriber': oursDiagnosticsSubscriberVariant,
  'ours+otel': oursOtelVariant,
  ping: () => pingVariant(false),
  'ping+module': () => pingVariant(true),
};
