import type { Pool, QueryResultRow } from 'pg';
import type { EntityManager } from 'typeorm';

/**
 * A statement on the path of every request (the session's user, the client of a page, a contact entry):
 * prepared once per connection under its name, then only bound and executed, and run on the pool itself
 * rather than through a TypeORM query runner. Measured with `npm run bench:contacts`: it took about a
 * third of the database's work off a contact entry. The text must not change
 * for a given name (a connection keeps the first one it prepared).
 *
 * The connection is taken and given back by hand, not with `pool.query`: that one closes the connection
 * on any failed statement (a duplicate submission key, say), which throws away what it had prepared and,
 * on the embedded database, its one and only connection. A connection that really broke is dropped by
 * the pool when given back.
 */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

/** Runs a prepared statement outside any transaction (it must not be called inside one: see Tx). */
export async function runPrepared<T extends QueryResultRow>(
  manager: EntityManager,
  statement: PreparedStatement,
  values: unknown[],
): Promise<T[]> {
  if (manager.queryRunner?.isTransactionActive) {
    throw new Error(
      `runPrepared(${statement.name}) inside a transaction: query through the transaction's manager instead`,
    );
  }
  const pool = (manager.connection.driver as unknown as { master: Pool }).master;
  const connection = await pool.connect();
  try {
    const result = await connection.query<T>({ name: statement.name, text: statement.text, values });
    return result.rows;
  } finally {
    connection.release();
  }
}
