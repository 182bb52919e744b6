import type { EntityMetadata } from 'typeorm';

/**
 * The select list of an entity's own columns for a plain SQL query, each aliased to its property name, so
 * that a row of a plain query is the entity as `find` returns it: for the hot reads, where building the
 * query and mapping the result through TypeORM costs more than the round trip (see runPrepared). Dates
 * come as `YYYY-MM-DD` strings (as TypeORM gives them); entities with embedded columns or value
 * transformers are refused (their rows would differ). Build it once per statement, not per query.
 */
export function plainColumns(metadata: EntityMetadata, alias: string): string {
  return metadata.columns
    .map((column) => {
      if (column.embeddedMetadata || column.transformer || column.isVirtual) {
        throw new Error(`plainColumns: ${metadata.name}.${column.propertyName} needs TypeORM's mapping`);
      }
      const name = `"${alias}"."${column.databaseName}"`;
      const value = column.type === 'date' ? `to_char(${name}, 'YYYY-MM-DD')` : name;
      return `${value} AS "${column.propertyName}"`;
    })
    .join(', ');
}
