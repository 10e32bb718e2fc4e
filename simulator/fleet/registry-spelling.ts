/**
 * osquery's `registry` table answers with the spelling the query asked for (osquery/osquery
 * osquery/tables/system/windows/registry.cpp @ a5b14f63):
 *
 * - `genRegistry` takes the keys to open from the `key` EQUALS constraints as written, and from each
 *   `path` EQUALS constraint `path.substr(0, path.find_last_of("\\"))` (everything before its last
 *   backslash; the whole string when there is none).
 * - `queryKey(keyPath)` splits keyPath with `explodeRegistryPath` → `osquery::split(path, "\\")`
 *   (osquery/utils/conversions/split.cpp: empty pieces dropped, each piece trimmed), looks the first
 *   piece up in `kRegistryHives` (a std::map: exact, case-sensitive), opens the rest joined by single
 *   backslashes with RegOpenKeyExW (Windows key names are case-insensitive), and returns each value
 *   and subkey with `key` = keyPath **as requested** and `path` = keyPath + "\\" + the value's name.
 * - osquery's virtual tables do not mark constraints as omitted, so SQLite still applies the WHERE
 *   clause to those rows: `path = 'HKEY_LOCAL_MACHINE\\SYSTEM\\…\\Value'` (doubled backslashes, as
 *   Fleet's CIS libraries write them) matches, since the row's path is built from the same spelling.
 * - LIKE constraints go through `expandRegistryGlobs`, which rebuilds keys from the pieces joined by
 *   single backslashes (subkeys with their own names): rows keep the canonical spelling, so a LIKE
 *   pattern with doubled backslashes matches nothing. osqsim's canonical rows already behave so;
 *   nothing is added for LIKE.
 *
 * osqsim's `registry` table is an ordinary SQLite table of canonical rows (single backslashes), so for
 * each `key`/`path` equality literal of a query that names another spelling of a key the host has,
 * the rows of that key are added (for that query only) with the requested spelling, as queryKey would
 * return them; SQLite's own WHERE then decides, as on the host.
 */

/** kRegistryHives (registry.cpp): the first piece must be one of these, exactly. */
export const REGISTRY_HIVES: ReadonlySet<string> = new Set([
  'HKEY_CLASSES_ROOT', 'HKEY_CURRENT_CONFIG', 'HKEY_CURRENT_USER', 'HKEY_CURRENT_USER_LOCAL_SETTINGS',
  'HKEY_LOCAL_MACHINE', 'HKEY_PERFORMANCE_DATA', 'HKEY_PERFORMANCE_NLSTEXT', 'HKEY_PERFORMANCE_TEXT', 'HKEY_USERS',
]);

/** osquery::split(s, "\\"): pieces between backslashes, empty ones dropped, each trimmed. */
export function registryPieces(path: string): string[] {
  return path.split('\\').filter((p) => p.length > 0).map((p) => p.trim());
}

/**
 * The key a query's spelling opens, as `queryKey` resolves it: hive exact, the rest compared
 * case-insensitively; undefined when the hive is not one of osquery's.
 */
export function registryKeyIdentity(keyPath: string): string | undefined {
  const pieces = registryPieces(keyPath);
  const hive = pieces[0];
  if (hive === undefined || !REGISTRY_HIVES.has(hive)) return undefined;
  return [hive, ...pieces.slice(1).map((p) => p.toLowerCase())].join('\\');
}

/** The key genRegistry opens for a `path = …` constraint: everything before the last backslash. */
export function keyOfPathConstraint(path: string): string {
  const last = path.lastIndexOf('\\');
  return last === -1 ? path : path.slice(0, last);
}

const LITERAL = String.raw`'(?:[^']|'')*'`;
const COLUMN = String.raw`(?:\b[A-Za-z_][A-Za-z0-9_]*\.)?\b(key|path)\b`;
const EQUALS = String.raw`\s*==?\s*`;
const COLUMN_EQ_LITERAL = new RegExp(`${COLUMN}${EQUALS}(${LITERAL})`, 'gi');
const LITERAL_EQ_COLUMN = new RegExp(`(${LITERAL})${EQUALS}${COLUMN}`, 'gi');
const COLUMN_IN_LIST = new RegExp(String.raw`${COLUMN}\s+IN\s*\(\s*(${LITERAL}(?:\s*,\s*${LITERAL})*)\s*\)`, 'gi');
const LITERALS = new RegExp(LITERAL, 'g');

const unquote = (literal: string): string => literal.slice(1, -1).replaceAll("''", "'");

/**
 * The keys a query's `key`/`path` equality constraints open (`key = '…'`, `'…' = path`,
 * `key IN ('…', …)`), in the query's spelling. String literals only; a bound or computed value
 * is not seen (osqsim's policies and queries carry literals).
 */
export function requestedRegistryKeys(sql: string): string[] {
  const keys = new Set<string>();
  const add = (column: string, literal: string): void => {
    const value = unquote(literal);
    keys.add(column.toLowerCase() === 'path' ? keyOfPathConstraint(value) : value);
  };
  for (const m of sql.matchAll(COLUMN_EQ_LITERAL)) add(m[1]!, m[2]!);
  for (const m of sql.matchAll(LITERAL_EQ_COLUMN)) add(m[2]!, m[1]!);
  for (const m of sql.matchAll(COLUMN_IN_LIST)) for (const l of m[2]!.match(LITERALS) ?? []) add(m[1]!, l);
  return [...keys];
}

export type RegistryRow = Record<string, string | number | null>;

/**
 * The rows queryKey would return for the query's spellings that differ from the canonical one:
 * copies of the canonical rows of that key with `key` = the spelling and `path` = spelling + "\\" +
 * value name.
 */
export function echoedRegistryRows(canonical: readonly RegistryRow[], sql: string): RegistryRow[] {
  const requested = requestedRegistryKeys(sql);
  if (requested.length === 0) return [];
  const byKey = new Map<string, RegistryRow[]>();
  for (const row of canonical) {
    if (typeof row.key !== 'string') continue;
    const id = registryKeyIdentity(row.key);
    if (id === undefined) continue;
    const list = byKey.get(id);
    if (list) list.push(row);
    else byKey.set(id, [row]);
  }
  const out: RegistryRow[] = [];
  for (const spelling of requested) {
    const id = registryKeyIdentity(spelling);
    if (id === undefined) continue;
    for (const row of byKey.get(id) ?? []) {
      const key = row.key as string;
      if (key === spelling) continue; // the canonical rows already answer this spelling
      const path = typeof row.path === 'string' && row.path.startsWith(`${key}\\`) ? row.path.slice(key.length + 1) : String(row.name ?? '');
      out.push({ ...row, key: spelling, path: `${spelling}\\${path}` });
    }
  }
  return out;
}
