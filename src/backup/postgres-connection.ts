/** URL parameters libpq also reads from the environment, and the variable each one becomes. */
const URL_PARAMETERS: Record<string, string> = {
  host: 'PGHOST',
  port: 'PGPORT',
  sslmode: 'PGSSLMODE',
  sslrootcert: 'PGSSLROOTCERT',
  sslcert: 'PGSSLCERT',
  sslkey: 'PGSSLKEY',
  connect_timeout: 'PGCONNECT_TIMEOUT',
};

export interface PostgresConnection {
  /** PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE… for pg_dump and pg_restore (never on their command line). */
  env: Record<string, string>;
  /** The database name, for messages (never the URL: it may hold the password). */
  database: string;
}

/**
 * DATABASE_URL → libpq environment variables, so that the password never appears in a process list
 * (`ps` shows arguments, not the environment).
 */
export function postgresConnectionOf(url: string): PostgresConnection {
  const parsed = new URL(url);
  const env: Record<string, string> = {};
  // An IPv6 host comes bracketed in a URL, bare to libpq.
  if (parsed.hostname) env.PGHOST = decodeURIComponent(parsed.hostname.replace(/^\[(.*)\]$/, '$1'));
  if (parsed.port) env.PGPORT = parsed.port;
  if (parsed.username) env.PGUSER = decodeURIComponent(parsed.username);
  if (parsed.password) env.PGPASSWORD = decodeURIComponent(parsed.password);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database) env.PGDATABASE = database;
  for (const [name, value] of parsed.searchParams) {
    const variable = URL_PARAMETERS[name];
    if (variable) env[variable] = value;
  }
  return { env, database: database || env.PGUSER || 'postgres' };
}

/** A libpq connection string naming only the database (pg_restore connects only when given --dbname). */
export function dbnameArgument(database: string): string {
  return `dbname='${database.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
