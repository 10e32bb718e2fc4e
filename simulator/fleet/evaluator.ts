/**
 * Policy (and any distributed query) evaluation: the SQL the server sent runs for real in SQLite
 * (sql.js) against the host group's osquery tables.
 *
 * - rows → the query "passes"; no rows → it fails; an error (missing table, bad SQL) → status 1 with
 *   SQLite's message, as osquery reports it (`no such table: foo`, `near "SELEC": syntax error`).
 * - A table the group does not define exists and is EMPTY when osquery has it on the host's platform
 *   (per the catalogue), and is missing otherwise — as on a real host. orbit's extension tables exist
 *   too on a group whose hosts run fleetd (`runsFleetd`: the group reports `orbit_info`).
 * - Answers are cached per (group, query text): cost grows with groups × queries, not hosts.
 * - The database is read-only once loaded (`PRAGMA query_only`), so a query cannot change the state.
 * - Identity tables hold one row as on every host: `system_info` (hostname, uuid, serial…), `osquery_info`
 *   and `os_version` (from the group's versions) are filled in when the group does not define them, and
 *   their identity columns always carry tokens that `withHostIdentity` replaces by each host's own values
 *   (answers stay cached per group; a query that filters on a hostname sees the token, not the name).
 *
 * The catalogue is passed in (OsqueryEnvironment) so tests can use small fixture tables.
 */
import type { Database, SqlJsStatic } from 'sql.js';
import type { FleetGroupSpec } from '../../contract/fleet-spec.js';
import { echoedRegistryRows, type RegistryRow } from './registry-spelling.js';

export type ColumnType = 'TEXT' | 'INTEGER' | 'BIGINT' | 'DOUBLE';
export type CatalogPlatform = 'darwin' | 'windows' | 'linux' | 'chrome';

export interface CatalogTable {
  name: string;
  platforms: readonly CatalogPlatform[];
  columns: ReadonlyArray<{ name: string; type: ColumnType }>;
}

/** What the evaluator needs to know about osquery (simulator/fleet/catalogue.ts in production). */
export interface OsqueryEnvironment {
  tablesForPlatform(platform: CatalogPlatform): readonly CatalogTable[];
  /** Tables orbit's extension adds (fleetd hosts only); absent = none. */
  fleetdTablesForPlatform?(platform: CatalogPlatform): readonly CatalogTable[];
  fleetPlatformOf(raw: string): CatalogPlatform | '';
  /** osquery's SQLite additions (regex_match, split, version_compare, …). */
  registerFunctions?(db: Database): void;
}

export interface QueryAnswer {
  /** 0 = OK; 1 = error, as osquery's distributed status. */
  status: number;
  rowCount: number;
  /** Rows as osquery sends them: every value a string. */
  rows: Array<Record<string, string>>;
  /** Error message when status ≠ 0. */
  message: string;
  /** JSON of `rows` (or `""` for no rows), ready to splice into a distributed/write body. */
  rowsJson: string;
}

const MAX_ROWS_SENT = 1000;

/** Placeholders for per-host identity values inside group tables and answers. */
export const IDENTITY_TOKENS = {
  hostname: 'OSQSIM-HOST-HOSTNAME',
  uuid: 'OSQSIM-HOST-UUID',
  serial: 'OSQSIM-HOST-SERIAL',
} as const;
const TOKEN_PREFIX = 'OSQSIM-HOST-';

/** Identity columns of the identity tables and the token each one gets. */
const IDENTITY_COLUMNS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  system_info: { hostname: IDENTITY_TOKENS.hostname, computer_name: IDENTITY_TOKENS.hostname, local_hostname: IDENTITY_TOKENS.hostname, uuid: IDENTITY_TOKENS.uuid, hardware_serial: IDENTITY_TOKENS.serial },
  osquery_info: { uuid: IDENTITY_TOKENS.uuid, instance_id: IDENTITY_TOKENS.uuid },
};

/** Replaces identity tokens in an answer's JSON by the host's values (a no-op for most answers). */
export function withHostIdentity(rowsJson: string, identity: { hostname: string; uuid: string; serial: string }): string {
  if (rowsJson.length < 3 || rowsJson.indexOf(TOKEN_PREFIX) === -1) return rowsJson;
  const escape = (v: string): string => JSON.stringify(v).slice(1, -1);
  return rowsJson
    .replaceAll(IDENTITY_TOKENS.hostname, escape(identity.hostname))
    .replaceAll(IDENTITY_TOKENS.uuid, escape(identity.uuid))
    .replaceAll(IDENTITY_TOKENS.serial, escape(identity.serial));
}

/** The group's tables with one identity row per identity table (tokens for the per-host columns). */
function tablesWithIdentity(group: FleetGroupSpec, available: (table: string) => boolean): Record<string, ReadonlyArray<Record<string, string | number>>> {
  const tables: Record<string, ReadonlyArray<Record<string, string | number>>> = { ...group.tables };
  const [major = '0', minor = '0', patch = '0'] = group.os_version.replace(/^[^\d]*/, '').split(/[.\s]/);
  const defaults: Record<string, Record<string, string | number>> = {
    system_info: {},
    osquery_info: { version: group.osquery_version, build_platform: group.platform, config_valid: 1, watcher: -1 },
    os_version: { version: group.os_version, major: Number(major) || 0, minor: Number(minor) || 0, patch: Number(patch) || 0, platform: group.platform },
  };
  for (const [table, row] of Object.entries(defaults)) {
    if (!available(table)) continue;
    const rows = tables[table] !== undefined && tables[table]!.length > 0 ? tables[table]! : [row];
    const identity = IDENTITY_COLUMNS[table];
    tables[table] = identity ? rows.map((r) => ({ ...r, ...identity })) : rows;
  }
  return tables;
}

/**
 * Whether the group's hosts run fleetd (orbit + osquery), so orbit's extension tables answer: the
 * group says so (`agent: fleetd`: its hosts also send orbit's requests, simulator/orbit/), or, when
 * it names no agent, it fills `orbit_info`, the table only orbit's extension provides. A group that
 * says `agent: osquery` never runs fleetd, whatever rows it lists: its hosts answer orbit's tables
 * with `no such table`, as a plain osquery host does (fleetdm/fleet orbit/pkg/table: the tables are
 * registered by orbit's osquery extension only).
 */
export function runsFleetd(group: FleetGroupSpec): boolean {
  if (group.agent !== undefined) return group.agent === 'fleetd';
  return (group.tables['orbit_info']?.length ?? 0) > 0;
}

/** The group's tables as the hosts of one variant see them (the variant's tables replace the group's). */
export function variantTables(group: FleetGroupSpec, variant: number): FleetGroupSpec['tables'] {
  const override = group.variants?.[variant]?.tables;
  return override ? { ...group.tables, ...override } : group.tables;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The tables in which variant `variant` of `group` may differ from variant 0 (those either of them
 * overrides), as one case-insensitive whole-word pattern (a variant that adds a table also changes
 * `osquery_registry`, which lists the tables); undefined for variant 0 or a variant whose database
 * is variant 0's.
 */
export function variantTablePattern(group: FleetGroupSpec, variant: number): RegExp | undefined {
  if (variant === 0) return undefined;
  const names = [...new Set([...Object.keys(group.variants?.[variant]?.tables ?? {}), ...Object.keys(group.variants?.[0]?.tables ?? {})])];
  if (names.length === 0) return undefined;
  if (names.some((name) => !(name in group.tables))) names.push('osquery_registry');
  return new RegExp(`(?<![\\w$])(?:${names.map(escapeRegExp).join('|')})(?![\\w$])`, 'i');
}

let sqlPromise: Promise<SqlJsStatic> | undefined;

/** Loads sql.js once per thread. */
export async function loadSqlJs(): Promise<SqlJsStatic> {
  if (!sqlPromise) {
    sqlPromise = import('sql.js').then(async (module) => {
      const init = (module as unknown as { default: (config?: object) => Promise<SqlJsStatic> }).default;
      return init();
    });
  }
  return sqlPromise;
}

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

function sqlType(type: ColumnType | undefined, sample: string | number | undefined): string {
  if (type) return type === 'DOUBLE' ? 'REAL' : type === 'BIGINT' ? 'INTEGER' : type;
  if (typeof sample === 'number') return Number.isInteger(sample) ? 'INTEGER' : 'REAL';
  return 'TEXT';
}

/**
 * Builds the SQLite database of one group (of one of its variants): its tables plus the platform's
 * empty tables. Rows a group lists for orbit's tables are dropped when it says `agent: osquery`.
 */
export function buildGroupDatabase(SQL: SqlJsStatic, spec: FleetGroupSpec, env: OsqueryEnvironment, variant = 0): Database {
  const db = new SQL.Database();
  env.registerFunctions?.(db);
  const platform = env.fleetPlatformOf(spec.platform);
  const catalogue = new Map<string, CatalogTable>();
  let own = variantTables(spec, variant);
  if (platform !== '') {
    for (const table of env.tablesForPlatform(platform)) catalogue.set(table.name, table);
    const orbit = env.fleetdTablesForPlatform?.(platform) ?? [];
    if (runsFleetd(spec)) for (const table of orbit) catalogue.set(table.name, table);
    else if (spec.agent === 'osquery') {
      const orbitOnly = new Set(orbit.map((t) => t.name).filter((name) => !catalogue.has(name)));
      own = Object.fromEntries(Object.entries(own).filter(([name]) => !orbitOnly.has(name)));
    }
  }
  const group: FleetGroupSpec = { ...spec, tables: own };
  const tables = tablesWithIdentity(group, (table) => catalogue.has(table) || table in group.tables);
  // osquery_registry lists the tables the host has, so discovery queries (Fleet's discoveryTable)
  // find exactly those; a group may still define its own rows.
  if (catalogue.has('osquery_registry') && !('osquery_registry' in group.tables)) {
    const names = new Set([...catalogue.keys(), ...Object.keys(tables)]);
    tables.osquery_registry = [...names].sort().map((name) => ({ registry: 'table', name, owner_uuid: 0, internal: 0, active: 1 }));
  }
  const statements: string[] = ['BEGIN'];
  for (const table of catalogue.values()) {
    if (table.name in tables) continue;
    const columns = table.columns.map((c) => `${quoteIdent(c.name)} ${sqlType(c.type, undefined)}`);
    statements.push(`CREATE TABLE ${quoteIdent(table.name)} (${columns.length ? columns.join(', ') : '"_" TEXT'})`);
  }
  db.exec(statements.join(';\n'));
  for (const [name, rows] of Object.entries(tables)) {
    const known = catalogue.get(name)?.columns ?? [];
    const types = new Map<string, ColumnType | undefined>(known.map((c) => [c.name, c.type]));
    const samples = new Map<string, string | number>();
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        if (!types.has(column)) types.set(column, undefined);
        if (!samples.has(column)) samples.set(column, value);
      }
    }
    const columnNames = [...types.keys()];
    const columns = columnNames.map((c) => `${quoteIdent(c)} ${sqlType(types.get(c), samples.get(c))}`);
    db.exec(`CREATE TABLE ${quoteIdent(name)} (${columns.length ? columns.join(', ') : '"_" TEXT'})`);
    if (rows.length > 0 && columnNames.length > 0) {
      const insert = db.prepare(
        `INSERT INTO ${quoteIdent(name)} (${columnNames.map(quoteIdent).join(', ')}) VALUES (${columnNames.map(() => '?').join(', ')})`,
      );
      for (const row of rows) insert.run(columnNames.map((c) => row[c] ?? null));
      insert.free();
    }
  }
  db.exec('COMMIT; PRAGMA query_only = 1;');
  return db;
}

/** Runs one query the way osquery reports it (registry spellings: runQuery). */
function runSql(db: Database, sql: string): QueryAnswer {
  try {
    const results = db.exec(sql);
    const last = results[results.length - 1];
    const rows: Array<Record<string, string>> = [];
    if (last) {
      for (const values of last.values) {
        if (rows.length >= MAX_ROWS_SENT) break;
        const row: Record<string, string> = {};
        last.columns.forEach((column, i) => {
          const v = values[i];
          row[column] = v === null || v === undefined ? '' : v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : String(v);
        });
        rows.push(row);
      }
    }
    const rowCount = last ? last.values.length : 0;
    return { status: 0, rowCount, rows, message: '', rowsJson: rowCount === 0 ? '""' : JSON.stringify(rows) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { status: 1, rowCount: 0, rows: [], message, rowsJson: '""' };
  }
}

/**
 * Runs one query the way osquery reports it. For a query that reads `registry`, the rows osquery's
 * registry table returns for the query's own spelling of a key (doubled backslashes, other case;
 * simulator/fleet/registry-spelling.ts) are added for this query only, then removed; the query
 * itself runs read-only.
 */
export function runQuery(db: Database, sql: string): QueryAnswer {
  if (!/\bregistry\b/i.test(sql)) return runSql(db, sql);
  let canonical: RegistryRow[];
  try {
    const result = db.exec('SELECT * FROM registry')[0];
    canonical = (result?.values ?? []).map((values) => Object.fromEntries(result!.columns.map((c, i) => [c, values[i] as string | number | null])));
  } catch {
    return runSql(db, sql); // no registry table on this platform: SQLite's own error
  }
  const extra = echoedRegistryRows(canonical, sql);
  if (extra.length === 0) return runSql(db, sql);
  const columns = Object.keys(canonical[0]!);
  const before = Number(db.exec('SELECT coalesce(max(rowid), 0) FROM registry')[0]!.values[0]![0]);
  db.exec('PRAGMA query_only = 0');
  try {
    const insert = db.prepare(`INSERT INTO registry (${columns.map(quoteIdent).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
    for (const row of extra) insert.run(columns.map((c) => row[c] ?? null));
    insert.free();
    db.exec('PRAGMA query_only = 1');
    return runSql(db, sql);
  } finally {
    db.exec(`PRAGMA query_only = 0; DELETE FROM registry WHERE rowid > ${before}; PRAGMA query_only = 1;`);
  }
}

/**
 * Caches answers per (group, variant, query text); databases are built lazily per (group, variant).
 * A group without variants has one slot (variant 0 = the group's own tables).
 */
export class FleetEvaluator {
  private readonly databases: Array<Array<Database | undefined>>;
  private readonly caches: Array<Array<Map<string, QueryAnswer>>>;
  /**
   * Per (group, variant ≥ 1): a pattern that matches any table the variant changes. A query that
   * names none of them reads the same rows in every variant, so variant 0 answers it once for all:
   * a policy herd costs groups × queries evaluations again, not groups × variants × queries (the
   * built-in fleet has 4 variants per group). Matching table names as words over-approximates the
   * tables a query reads (never misses one), so sharing never changes an answer.
   */
  private readonly variantTouches: Array<Array<RegExp | undefined>>;

  constructor(
    private readonly SQL: SqlJsStatic,
    private readonly groups: readonly FleetGroupSpec[],
    private readonly env: OsqueryEnvironment,
  ) {
    this.databases = groups.map((g) => Array.from({ length: variantCount(g) }, () => undefined));
    this.caches = groups.map((g) => Array.from({ length: variantCount(g) }, () => new Map<string, QueryAnswer>()));
    this.variantTouches = groups.map((g) => Array.from({ length: variantCount(g) }, (_, v) => variantTablePattern(g, v)));
  }

  /** How many variants a group's hosts are spread over (1 when it has none). */
  variants(group: number): number {
    return this.databases[group]!.length;
  }

  /** Builds every group's databases now (at shard start, not in the middle of the run). */
  warm(): void {
    this.databases.forEach((slots, i) => slots.forEach((_, v) => this.database(i, v)));
  }

  private database(group: number, variant: number): Database {
    const slots = this.databases[group]!;
    let db = slots[variant];
    if (db === undefined) {
      db = buildGroupDatabase(this.SQL, this.groups[group]!, this.env, variant);
      slots[variant] = db;
    }
    return db;
  }

  answer(group: number, sql: string, variant = 0): QueryAnswer {
    const cache = this.caches[group]![variant]!;
    let answer = cache.get(sql);
    if (answer === undefined) {
      const touches = this.variantTouches[group]![variant];
      answer = variant === 0 || touches === undefined || touches.test(sql) ? runQuery(this.database(group, variant), sql) : this.answer(group, sql, 0);
      cache.set(sql, answer);
    }
    return answer;
  }

  /** Distinct (group, variant, query) triples evaluated so far. */
  get cachedAnswers(): number {
    return this.caches.reduce((sum, slots) => sum + slots.reduce((n, c) => n + c.size, 0), 0);
  }

  close(): void {
    for (const slots of this.databases) for (const db of slots) db?.close();
  }
}

function variantCount(group: FleetGroupSpec): number {
  return Math.max(1, group.variants?.length ?? 0);
}
