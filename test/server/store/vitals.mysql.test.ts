import { afterAll, beforeAll } from 'vitest';
import mysql from 'mysql2/promise';
import { createStore } from '../../../server/store/index.js';
import { TABLES } from '../../../server/store/mysql/index.js';
import { describeMysql } from '../../helpers/mysql.js';
import { vitalsContract } from './vitals-contract.js';

describeMysql('MySQL store (host vitals)', (db) => {
  let admin: mysql.Connection;
  beforeAll(async () => {
    const store = await createStore(db.url);
    await store.close();
    admin = await mysql.createConnection(db.url);
  });
  afterAll(async () => {
    await admin?.end();
  });

  vitalsContract('mysql', async () => {
    for (const table of TABLES) await admin.query(`DELETE FROM ${table}`);
    return createStore(db.url, { poolSize: 4 });
  });
});
