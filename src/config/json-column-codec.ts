import type { DataSource, ValueTransformer } from 'typeorm';
import type { EngineConfig } from './engine-config';

const JSON_TYPES = new Set(['json', 'jsonb', 'simple-json']);

/**
 * Applies `engineConfig.jsonSerializer`/`jsonDeserializer` to every JSON column of the bind: the
 * serializer decides the JSON text a value becomes, the deserializer revives it on read. The
 * driver still does its own JSON encoding, so values pass through as parsed JSON in between.
 */
export function applyJsonColumnCodec(dataSource: DataSource, engine: EngineConfig): void {
  const { jsonSerializer, jsonDeserializer } = engine;
  if (!jsonSerializer && !jsonDeserializer) return;
  const codec: ValueTransformer = {
    to: (value: unknown) => (value == null || !jsonSerializer ? value : JSON.parse(jsonSerializer(value))),
    from: (value: unknown) =>
      value == null || !jsonDeserializer
        ? value
        : jsonDeserializer(typeof value === 'string' ? value : JSON.stringify(value)),
  };
  for (const metadata of dataSource.entityMetadatas) {
    for (const column of metadata.columns) {
      if (typeof column.type !== 'string' || !JSON_TYPES.has(column.type)) continue;
      const existing = column.transformer;
      // TypeORM applies `to` from the last transformer to the first, `from` first to last:
      // ours first means the user's own transformer sees entity values, ours sees database values.
      column.transformer = existing ? [codec, ...(Array.isArray(existing) ? existing : [existing])] : codec;
    }
  }
}
