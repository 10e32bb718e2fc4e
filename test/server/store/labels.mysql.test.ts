import { afterAll, beforeAll } from 'vitest';
import mysql from 'mysql2/promise';
import { createStore } from '../../../server/store/index.js';
import { TABLES } from '../../../server/store/mysql/index.js';
import { BUILTIN_LABELS_SEED } from '../../../server/store/mysql/schema.js';
import { describeMysql } from '../../helpers/mysql.js';
import { labelStoreContract } from './labels-contract.js';

describeMysql('MySQL label store', (db) => {
  let admin: mysql.Connection;

  beforeAll(async () => {
    const store = await createStore(db.url);
    await store.close();
    admin = await mysql.createConnection(db.url);
  });
  afterAll(async () => {
    await admin?.end();
  });

  /** Empty tables, then the built-in labels again (migrate() seeds them only once). */
  labelStoreContract('mysql', async () => {
    for (const table of TABLES) await admin.query(`DELETE FROM ${table}`);
    await admin.query(BUILTIN_LABELS_SEED);
    return createStore(db.url, { poolSize: 4 });
  });
});
