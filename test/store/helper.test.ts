import { expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { describeMysql, mysqlAvailable } from '../helpers/mysql.js';

describeMysql('test/helpers/mysql.ts', (db) => {
  it('gives each suite its own empty database', async () => {
    expect(mysqlAvailable).toBe(true);
    expect(db.name).toMatch(/^osqsim_test_[0-9a-f]{12}$/);
    const conn = await mysql.createConnection(db.url);
    const [rows] = await conn.query('SHOW TABLES');
    await conn.end();
    expect(rows).toEqual([]);
  });
});
