import type { EntityMetadata } from 'typeorm';

const columnLists = new WeakMap<EntityMetadata, string>();

/**
 * The select list of an entity's own columns for a plain SQL query, each aliased to its property name, so
 * that a row of `manager.query` is the entity as `find` returns it: for the hot reads, where building the
 * query and mapping the result through TypeORM costs more than the round trip. Dates come as
 * `YYYY-MM-DD` strings (as TypeORM gives them); entities with embedded columns or value transformers are
 * refused (their rows would differ).
 */
export function plainColumns(metadata: EntityMetadata, alias: string): string {
  const cached = columnLists.get(metadata);
  if (cached) return cached.replaceAll('"\u0000"', `"${alias}"`);
  const list = metadata.columns
    .map((column) => {
      if (column.embeddedMetadata || column.transformer || column.isVirtual) {
        throw new Error(`plainColumns: ${metadata.name}.${column.propertyName} needs TypeORM's mapping`);
      }
      const name = `"\u0000"."${column.databaseName}"`;
      const value = column.type === 'date' ? `to_char(${name}, 'YYYY-MM-DD')` : name;
      return `${value} AS "${column.propertyName}"`;
    })
    .join(', ');
  columnLists.set(metadata, list);
  return list.replaceAll('"\u0000"', `"${alias}"`);
}
