/**
 * The one transaction-and-retry loop (as Fleet's common_mysql/retry.go is its one): every write
 * that touches several rows runs in one transaction, retried on deadlock; writers take rows in
 * sorted key order so retries are rare. Also the team check several transactions start with.
 */
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { osqsimError } from '../../../lib/errors.js';
import { isDeadlock } from './errors.js';

const TX_ATTEMPTS = 4;

let deadlockVictims = 0;

/**
 * Transactions of this process that InnoDB rolled back as a deadlock victim (each retried, or
 * failed on the last attempt). Process-wide: the tests that pin a deadlock-free write path read it
 * before and after, with no other database's deadlocks mixed in (the server's Innodb_deadlocks is global).
 */
export function deadlockVictimCount(): number {
  return deadlockVictims;
}

export interface TxOptions {
  /**
   * `fn` sends START TRANSACTION and COMMIT itself, inside its own multi-statement queries (the
   * ingest path: one round trip per batch); otherwise tx sends them around `fn`.
   */
  readonly inlineBeginCommit?: boolean;
}

/**
 * Runs `fn` in one transaction on a connection of `pool`, retried on deadlock (up to TX_ATTEMPTS
 * attempts); a failed attempt is rolled back, or its connection dropped.
 */
export async function tx<T>(pool: Pool, fn: (conn: PoolConnection) => Promise<T>, options: TxOptions = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const conn = await pool.getConnection();
    try {
      if (!options.inlineBeginCommit) await conn.query('START TRANSACTION');
      const out = await fn(conn);
      if (!options.inlineBeginCommit) await conn.query('COMMIT');
      conn.release();
      return out;
    } catch (err) {
      await abandon(conn);
      if (isDeadlock(err)) deadlockVictims++;
      if (isDeadlock(err) && attempt < TX_ATTEMPTS) continue;
      throw err;
    }
  }
}

/** Hosts, secrets and team policies may only name teams that exist (0 = No team is fine for policies). */
export async function assertTeam(conn: PoolConnection, teamId: number | null): Promise<void> {
  if (teamId === null || teamId === 0) return;
  const [rows] = await conn.query<RowDataPacket[]>('SELECT id FROM teams WHERE id = ?', [teamId]);
  if (rows.length === 0) throw osqsimError('STORE_NOT_FOUND', { what: `team ${teamId}` });
}

/** Rolls back and returns the connection, or drops it when the rollback itself fails. */
async function abandon(conn: PoolConnection): Promise<void> {
  try {
    await conn.query('ROLLBACK');
    conn.release();
  } catch {
    conn.destroy();
  }
}
