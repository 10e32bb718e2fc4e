/** Schema migrations: creates the database when missing, then applies MIGRATIONS under a named lock. */
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { type Db, run } from './db.js';
import { ALREADY_APPLIED_ERRNOS, MIGRATIONS, SCHEMA_MIGRATIONS_TABLE } from './schema.js';

export async function migrate(db: Db): Promise<void> {
  return run(async () => {
    await ensureDatabase(db);
    const conn = await db.pool.getConnection();
    try {
      await conn.query("SELECT GET_LOCK('osqsim_migrate', 30)");
      try {
        await conn.query(SCHEMA_MIGRATIONS_TABLE);
        const [applied] = await conn.query<RowDataPacket[]>('SELECT version FROM schema_migrations');
        const done = new Set(applied.map((r) => Number(r.version)));
        for (const migration of MIGRATIONS) {
          if (done.has(migration.version)) continue;
          for (const statement of migration.statements) {
            try {
              await conn.query(statement);
            } catch (err) {
              // Applied by a run that died before recording the version: carry on.
              if (!ALREADY_APPLIED_ERRNOS.has(Number((err as { errno?: unknown }).errno))) throw err;
            }
          }
          await conn.query(
            'INSERT IGNORE INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)',
            [migration.version, migration.description, new Date()],
          );
        }
      } finally {
        await conn.query("SELECT RELEASE_LOCK('osqsim_migrate')");
      }
      conn.release();
    } catch (err) {
      conn.destroy();
      throw err;
    }
  });
}

/** Creates the database named in the URL when missing (zero set-up on a fresh server). */
async function ensureDatabase(db: Db): Promise<void> {
  const conn = await mysql.createConnection(db.connection);
  try {
    await conn.query(
      `CREATE DATABASE IF NOT EXISTS ${mysql.escapeId(db.database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } catch {
    // No CREATE privilege: the database may exist anyway; the pool reports it if not.
  } finally {
    await conn.end().catch(() => undefined);
  }
}
