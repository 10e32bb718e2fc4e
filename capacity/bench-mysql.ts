/** The database facts a MySQL benchmark records next to its figures (docs/BENCHMARKS.md conventions). */
import mysql from 'mysql2/promise';
import { mysqlConnectionOptions } from '../server/store/mysql/connection.js';
import type { MysqlFacts } from './bench-document.js';

/** Version and InnoDB buffer pool size of the server at `url` (its database, if any, is not needed). */
export async function mysqlFacts(url: string): Promise<MysqlFacts> {
  const connection = await mysql.createConnection(mysqlConnectionOptions(url).connection);
  try {
    return await queryMysqlFacts(connection);
  } finally {
    await connection.end();
  }
}

/** The same facts on an open connection. */
export async function queryMysqlFacts(connection: mysql.Connection): Promise<MysqlFacts> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT @@innodb_buffer_pool_size AS pool, VERSION() AS version');
  return { innodb_buffer_pool_bytes: Number(rows[0]!.pool), mysql_version: String(rows[0]!.version) };
}
