/** `'a', 'b'` for CHECK constraints built from the code lists (constants only, never user input). */
export const sqlList = (values: readonly string[]): string =>
  values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ');
