/**
 * A mysql:// URL → mysql2 connection options, the one place that reads one (store, benchmarks,
 * capacity runs and tests all connect the same way). The database is returned apart so callers can
 * connect without it (to create or drop it).
 */
import type { ConnectionOptions } from 'mysql2/promise';

export interface MysqlTarget {
  /** Connection options without a database. */
  readonly connection: ConnectionOptions;
  /** The URL's database ('' when the URL names none). */
  readonly database: string;
}

/**
 * UTC everywhere, DECIMAL/SUM results as numbers (MariaDB returns strings otherwise: DESIGN §3),
 * utf8mb4 with Fleet's unicode collation.
 */
export function mysqlConnectionOptions(url: string | URL): MysqlTarget {
  const u = typeof url === 'string' ? new URL(url) : url;
  return {
    database: decodeURIComponent(u.pathname.replace(/^\//, '')),
    connection: {
      host: u.hostname,
      port: u.port === '' ? 3306 : Number(u.port),
      user: decodeURIComponent(u.username || 'root'),
      password: decodeURIComponent(u.password),
      timezone: 'Z',
      dateStrings: false,
      decimalNumbers: true,
      supportBigNumbers: true,
      bigNumberStrings: false,
      charset: 'UTF8MB4_UNICODE_CI',
      connectTimeout: 5000,
    },
  };
}
