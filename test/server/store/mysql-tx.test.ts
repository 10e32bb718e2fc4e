import { describe, expect, it } from 'vitest';
import type { Pool, PoolConnection } from 'mysql2/promise';
import { deadlockVictimCount, tx } from '../../../server/store/mysql/tx.js';

/** A pool whose connections record the statements sent and what became of the connection. */
function fakePool(): { pool: Pool; log: string[] } {
  const log: string[] = [];
  const conn = {
    query: async (sql: string) => {
      log.push(sql);
      return [[], []];
    },
    release: () => log.push('release'),
    destroy: () => log.push('destroy'),
  };
  const pool = { getConnection: async () => conn as unknown as PoolConnection } as unknown as Pool;
  return { pool, log };
}

const deadlock = (): Error => Object.assign(new Error('Deadlock found'), { code: 'ER_LOCK_DEADLOCK' });

describe('MySQL tx()', () => {
  it('brackets the work with START TRANSACTION and COMMIT and returns the connection', async () => {
    const { pool, log } = fakePool();
    await expect(tx(pool, async (c) => (await c.query('UPDATE x'), 7))).resolves.toBe(7);
    expect(log).toEqual(['START TRANSACTION', 'UPDATE x', 'COMMIT', 'release']);
  });

  it('sends no BEGIN or COMMIT of its own when the work carries them inline (the ingest batch)', async () => {
    const { pool, log } = fakePool();
    await tx(pool, async (c) => c.query('START TRANSACTION;\nINSERT …;\nCOMMIT'), { inlineBeginCommit: true });
    expect(log).toEqual(['START TRANSACTION;\nINSERT …;\nCOMMIT', 'release']);
  });

  it('rolls back and retries a deadlocked attempt, up to four attempts in all', async () => {
    const { pool, log } = fakePool();
    const victimsBefore = deadlockVictimCount();
    let attempts = 0;
    const work = async (): Promise<string> => {
      attempts++;
      if (attempts < 4) throw deadlock();
      return 'done';
    };
    await expect(tx(pool, work)).resolves.toBe('done');
    expect(attempts).toBe(4);
    expect(log.filter((s) => s === 'ROLLBACK')).toHaveLength(3);
    expect(deadlockVictimCount() - victimsBefore).toBe(3);

    attempts = 0;
    await expect(tx(pool, async () => { attempts++; throw deadlock(); })).rejects.toMatchObject({ code: 'ER_LOCK_DEADLOCK' });
    expect(attempts).toBe(4);
    expect(deadlockVictimCount() - victimsBefore).toBe(7);
  });

  it('does not retry other errors', async () => {
    const { pool, log } = fakePool();
    let attempts = 0;
    const failure = Object.assign(new Error('dup'), { code: 'ER_DUP_ENTRY' });
    await expect(tx(pool, async () => { attempts++; throw failure; })).rejects.toBe(failure);
    expect(attempts).toBe(1);
    expect(log).toEqual(['START TRANSACTION', 'ROLLBACK', 'release']);
  });
});
