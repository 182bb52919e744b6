import { dbnameArgument, postgresConnectionOf } from './postgres-connection';

describe('PostgreSQL connection for pg_dump and pg_restore', () => {
  it('turns DATABASE_URL into libpq variables, decoding the password', () => {
    expect(postgresConnectionOf('postgres://app:p%40ss%3Aw0rd@db.internal:5433/nhipcau?sslmode=require')).toEqual({
      env: {
        PGHOST: 'db.internal',
        PGPORT: '5433',
        PGUSER: 'app',
        PGPASSWORD: 'p@ss:w0rd',
        PGDATABASE: 'nhipcau',
        PGSSLMODE: 'require',
      },
      database: 'nhipcau',
    });
  });

  it('reads an IPv6 host and a Unix socket directory given as a parameter', () => {
    expect(postgresConnectionOf('postgresql://u@[::1]/d').env.PGHOST).toBe('::1');
    expect(postgresConnectionOf('postgres:///d?host=/var/run/postgresql').env.PGHOST).toBe('/var/run/postgresql');
    expect(postgresConnectionOf('postgres://u@%2Fvar%2Frun%2Fpostgresql/d').env.PGHOST).toBe('/var/run/postgresql');
  });

  it('names the database by itself in a connection string, quoting what needs it', () => {
    expect(dbnameArgument('nhipcau')).toBe("dbname='nhipcau'");
    expect(dbnameArgument("o'k\\x")).toBe("dbname='o\\'k\\\\x'");
  });
});
