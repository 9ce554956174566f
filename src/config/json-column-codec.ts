import type { DataSource } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { ApplyValueTransformers } from 'typeorm/util/ApplyValueTransformers';
import type { EngineConfig } from './engine-config';

const JSON_TYPES = new Set(['json', 'jsonb', 'simple-json']);

type ValueMapper = (value: unknown, column: ColumnMetadata) => unknown;
interface ValueDriver {
  preparePersistentValue: ValueMapper;
  prepareHydratedValue: ValueMapper;
}

/**
 * Applies `engineConfig.jsonSerializer`/`jsonDeserializer` to every JSON column of the bind: the
 * database receives exactly the text the serializer wrote (no second JSON.stringify, so a
 * serializer may write numbers beyond double precision), and the deserializer gets the stored
 * text. Other columns go through the driver untouched. A column's own transformer still sees
 * entity values.
 */
export function applyJsonColumnCodec(dataSource: DataSource, engine: EngineConfig): void {
  const { jsonSerializer, jsonDeserializer } = engine;
  if (!jsonSerializer && !jsonDeserializer) return;
  const codecColumns = new WeakSet<ColumnMetadata>();
  for (const metadata of dataSource.entityMetadatas) {
    for (const column of metadata.columns) {
      if (typeof column.type === 'string' && JSON_TYPES.has(column.type)) codecColumns.add(column);
    }
  }
  const driver = dataSource.driver as unknown as ValueDriver;
  const persist = driver.preparePersistentValue.bind(driver);
  const hydrate = driver.prepareHydratedValue.bind(driver);
  const serialize = jsonSerializer ?? ((value: unknown) => JSON.stringify(value));
  const deserialize = jsonDeserializer ?? ((text: string) => JSON.parse(text) as unknown);
  driver.preparePersistentValue = (value, column) => {
    if (!codecColumns.has(column)) return persist(value, column);
    const entityValue = column.transformer ? ApplyValueTransformers.transformTo(column.transformer, value) : value;
    return entityValue == null ? entityValue : serialize(entityValue);
  };
  driver.prepareHydratedValue = (value, column) => {
    if (!codecColumns.has(column)) return hydrate(value, column);
    // Drivers hand over the stored text, except pg, which parses json/jsonb itself unless the
    // module gave its pool raw-text parsers (it does when a codec is configured).
    const revived = value == null ? value : deserialize(typeof value === 'string' ? value : JSON.stringify(value));
    return column.transformer ? ApplyValueTransformers.transformFrom(column.transformer, revived) : revived;
  };
}

/** pg type parsers that leave json (114) and jsonb (3802) as text, for the codec to read. */
export function rawJsonTypeParsers(): { getTypeParser: (oid: number, format?: string) => unknown } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- pg is an optional peer, present on PostgreSQL binds
  const pg = require('pg') as { types: { getTypeParser: (oid: number, format?: string) => unknown } };
  return {
    getTypeParser: (oid, format) =>
      oid === 114 || oid === 3802 ? (text: string) => text : pg.types.getTypeParser(oid, format),
  };
}
