/**
 * Schema and table names are written into SQL, so they are checked, not
 * escaped: lowercase letters, digits and `_`, starting with a letter or `_`.
 * Lowercase only: PostgreSQL folds unquoted names to lowercase, so the name
 * means the same table quoted (as the package writes it) or not (as a
 * merchant's own migration or psql session may).
 */
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** The longest name PostgreSQL keeps (63 bytes), less room for the suffixes of index names. */
const MAX_LENGTH = 48;

export function identifier(where: string, option: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !IDENTIFIER.test(value) || value.length > MAX_LENGTH) {
    throw new TypeError(
      `${where}: ${option} must be a PostgreSQL name of lowercase letters, digits and _ (starting with a letter or _), at most ${MAX_LENGTH} characters.`,
    );
  }
  return value;
}

/** `"schema"."table"`: only ever given names `identifier` accepted. */
export function qualified(schema: string, table: string): string {
  return `"${schema}"."${table}"`;
}
