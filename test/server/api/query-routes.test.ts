/** The queries REST API (query-route-suite.ts) on both stores. */
import { describe } from 'vitest';
import { describeMysql } from '../../helpers/mysql.js';
import { startApi } from './harness.js';
import { queryRouteSuite } from './query-route-suite.js';

describe('queries REST API on the memory store', () => {
  queryRouteSuite(() => startApi('memory'));
});

describeMysql('queries REST API on the MySQL store', (db) => {
  queryRouteSuite(() => startApi(db.url));
});
