/** Leases (the `locks` table, on the database clock) and the stats-run log. */
import type { StatsRun } from '../types.js';
import { type Db, exec, readRows, run } from './db.js';

/** Reference §5.2: extend if owned, steal if expired, create if absent — on the database clock. */
export async function acquireLease(db: Db, name: string, owner: string, ttlMs: number): Promise<boolean> {
  const micros = Math.max(0, Math.round(ttlMs * 1000));
  return run(async () => {
    const extended = await exec(
      db,
      'UPDATE locks SET expires_at = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND WHERE name = ? AND owner = ?',
      [micros, name, owner],
    );
    if (extended.affectedRows > 0) return true;
    const stolen = await exec(
      db,
      'UPDATE locks SET owner = ?, expires_at = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND WHERE name = ? AND expires_at < UTC_TIMESTAMP(3)',
      [owner, micros, name],
    );
    if (stolen.affectedRows > 0) return true;
    const created = await exec(
      db,
      'INSERT IGNORE INTO locks (name, owner, expires_at) VALUES (?, ?, UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND)',
      [name, owner, micros],
    );
    return created.affectedRows === 1;
  });
}

export async function releaseLease(db: Db, name: string, owner: string): Promise<void> {
  return run(async () => {
    await exec(db, 'DELETE FROM locks WHERE name = ? AND owner = ?', [name, owner]);
  });
}

export async function recordStatsRun(db: Db, entry: StatsRun): Promise<StatsRun> {
  return run(async () => {
    const result = await exec(
      db,
      `INSERT INTO stats_runs (strategy, instance, started_at, duration_ms, rows_scanned, policies_updated, drift)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [entry.strategy, entry.instance, entry.startedAt, entry.durationMs, entry.rowsScanned, entry.policiesUpdated, entry.drift],
    );
    return { ...entry, id: result.insertId };
  });
}

export async function listStatsRuns(db: Db, limit: number): Promise<StatsRun[]> {
  return run(async () => {
    const rows = await readRows(db, 'SELECT * FROM stats_runs ORDER BY id DESC LIMIT ?', [Math.max(0, Math.floor(limit))]);
    return rows.map((r) => ({
      id: Number(r.id),
      strategy: String(r.strategy),
      instance: String(r.instance),
      startedAt: r.started_at as Date,
      durationMs: Number(r.duration_ms),
      rowsScanned: Number(r.rows_scanned),
      policiesUpdated: Number(r.policies_updated),
      drift: Number(r.drift),
    }));
  });
}
