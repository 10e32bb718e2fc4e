/** The benches that run on MySQL start from an empty database named by their --store URL. */
import mysql from 'mysql2/promise';
import { mysqlConnectionOptions } from '../server/store/mysql/connection.js';

/** Drops and re-creates the database of `store` (a mysql:// URL that must name one). */
export async function freshDatabase(store: string): Promise<void> {
  const { connection: options, database } = mysqlConnectionOptions(store);
  if (!/^\w+$/.test(database)) throw new Error(`--store needs a database name: ${store}`);
  const connection = await mysql.createConnection(options);
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await connection.query(`CREATE DATABASE \`${database}\``);
  } finally {
    await connection.end();
  }
}
