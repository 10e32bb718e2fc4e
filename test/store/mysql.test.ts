import { afterAll, beforeAll, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { createStore } from '../../server/store/index.js';
import { MysqlStore, TABLES } from '../../server/store/mysql/index.js';
import type { Store } from '../../server/store/store.js';
import { describeMysql } from '../helpers/mysql.js';
import { storeContract } from './contract.js';

describeMysql('MySQL store', (db) => {
  let admin: mysql.Connection;

  beforeAll(async () => {
    // The first store creates the schema; later ones find it and start from empty tables.
    const store = await createStore(db.url);
    await store.close();
    admin = await mysql.createConnection(db.url);
  });
  afterAll(async () => {
    await admin?.end();
  });

  async function emptyStore(): Promise<Store> {
    for (const table of TABLES) await admin.query(`DELETE FROM ${table}`);
    return createStore(db.url, { poolSize: 4 });
  }

  storeContract('mysql', emptyStore);

  it('migrates idempotently and records the applied version once', async () => {
    const store = await createStore(db.url);
    await store.migrate();
    await store.migrate();
    await store.close();
    const [rows] = await admin.query<mysql.RowDataPacket[]>('SELECT version FROM schema_migrations');
    expect(rows.map((r) => r.version)).toEqual([1]);
    const [tables] = await admin.query<mysql.RowDataPacket[]>('SHOW TABLES');
    const names = tables.map((r) => String(Object.values(r)[0]));
    for (const table of TABLES) expect(names).toContain(table);
  });

  it('creates the database named in the URL when it is missing', async () => {
    const url = new URL(db.url);
    url.pathname = `/${db.name}_fresh`;
    const store = await createStore(url.toString());
    try {
      expect(await store.listTeams()).toEqual([]);
    } finally {
      await store.close();
      await admin.query(`DROP DATABASE IF EXISTS \`${db.name}_fresh\``);
    }
  });

  it('an unreachable database is STORE_UNAVAILABLE, at start and afterwards', async () => {
    await expect(createStore('mysql://root@127.0.0.1:1/osqsim')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    const store = new MysqlStore('mysql://root@127.0.0.1:1/osqsim');
    await expect(store.getHostByNodeKey('k')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', status: 503 });
    await expect(store.recordPolicyResults([{ hostId: 1, results: [{ policyId: 1, passes: true }], reportedAt: new Date() }]))
      .rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await store.close();
  });

  it('a closed pool is STORE_UNAVAILABLE', async () => {
    const store = await createStore(db.url);
    await store.close();
    await expect(store.ping()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(store.listHosts({})).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('recovers by itself when its connections are killed', async () => {
    const store = await createStore(db.url, { poolSize: 2 });
    try {
      await Promise.all([store.ping(), store.ping(), store.listTeams()]);
      const [conns] = await admin.query<mysql.RowDataPacket[]>(
        'SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()',
        [db.name],
      );
      expect(conns.length).toBeGreaterThan(0);
      for (const c of conns) await admin.query(`KILL ${Number(c.ID)}`).catch(() => undefined);
      let ok = false;
      for (let attempt = 0; attempt < 5 && !ok; attempt++) {
        try {
          await store.ping();
          ok = true;
        } catch (err) {
          expect(err).toMatchObject({ code: 'STORE_UNAVAILABLE' });
        }
      }
      expect(ok).toBe(true);
      expect(await store.listTeams()).toBeInstanceOf(Array);
    } finally {
      await store.close();
    }
  });
});
