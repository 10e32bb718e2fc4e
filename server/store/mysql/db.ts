/**
 * The handle every MySQL entity file takes: the two pools and the little state the store keeps in
 * process, plus the plumbing that turns driver errors into the store's catalogue codes.
 *
 * - Times are DATETIME(3) in UTC: the pool formats and parses dates as UTC ('Z') and each session
 *   runs with time_zone '+00:00'; lease arithmetic uses the database clock (UTC_TIMESTAMP(3)).
 * - Sessions run READ COMMITTED: no gap locks, so concurrent ingest batches and clean-ups do not
 *   deadlock on inserts; aggregation reads are plain consistent reads that lock nothing.
 * - Connection problems become STORE_UNAVAILABLE; mysql2 drops broken connections from the pool
 *   and opens new ones, so the store recovers by itself when the database is back.
 */
import mysql, { type Pool, type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';
import { mysqlConnectionOptions } from './connection.js';
import { toStoreError } from './errors.js';

export interface MysqlStoreOptions {
  /** Pool size (default 10). */
  readonly poolSize?: number;
  /**
   * Connections reserved for recordPolicyResults (default 4): ingest commits never queue behind
   * node-key lookups and API reads, so a group commit's latency — which sets how fast the next
   * batch can go — stays the database's commit time.
   */
  readonly ingestPoolSize?: number;
}

export interface Db {
  readonly pool: Pool;
  /** Only recordPolicyResults uses it (see MysqlStoreOptions.ingestPoolSize). */
  readonly ingestPool: Pool;
  /** Connection options without a database (migrate creates the database when missing). */
  readonly connection: mysql.ConnectionOptions;
  readonly database: string;
  /** Where keepPlatforms clean-ups continue (rows before it were kept); reset when a clean-up ends. */
  readonly clearCursors: Map<string, number>;
  /** When the change feed last pruned its tombstones (ms, database clock). */
  readonly feed: { lastPrune: number };
}

export function openDb(url: string, options: MysqlStoreOptions = {}): Db {
  const { connection, database } = mysqlConnectionOptions(url);
  const createPool = (connectionLimit: number): Pool =>
    mysql.createPool({
      ...connection,
      database,
      connectionLimit,
      waitForConnections: true,
      queueLimit: 0,
      enableKeepAlive: true,
      // recordPolicyResults and the change feed send several statements at once, all built from escaped values.
      multipleStatements: true,
    });
  const pool = createPool(options.poolSize ?? 10);
  const ingestPool = createPool(options.ingestPoolSize ?? 4);
  for (const p of [pool, ingestPool]) {
    p.on('connection', (conn: unknown) => {
      const core = conn as { query(sql: string, cb: (err: unknown) => void): unknown };
      const ignore = (): void => undefined;
      core.query("SET time_zone = '+00:00'", ignore);
      core.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED', ignore);
    });
  }
  return { pool, ingestPool, connection, database, clearCursors: new Map(), feed: { lastPrune: 0 } };
}

export async function closeDb(db: Db): Promise<void> {
  await Promise.all([db.pool.end().catch(() => undefined), db.ingestPool.end().catch(() => undefined)]);
}

export async function ping(db: Db): Promise<void> {
  return run(async () => {
    await db.pool.query('SELECT 1');
  });
}

/** Runs a store method: driver errors become catalogue errors (STORE_UNAVAILABLE, STORE_CONFLICT, …). */
export async function run<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toStoreError(err);
  }
}

/** A read on the main pool. */
export async function readRows<T extends RowDataPacket>(db: Db, sql: string, values?: unknown[]): Promise<T[]> {
  const [result] = await db.pool.query<T[]>(sql, values);
  return result;
}

/** A write on the main pool. */
export async function exec(db: Db, sql: string, values?: unknown[]): Promise<ResultSetHeader> {
  const [result] = await db.pool.query<ResultSetHeader>(sql, values);
  return result;
}
