/** The REST API contract (route-suite.ts) on both stores. */
import { describe } from 'vitest';
import { describeMysql } from '../../helpers/mysql.js';
import { startApi } from './harness.js';
import { routeSuite } from './route-suite.js';

describe('REST API on the memory store', () => {
  routeSuite(() => startApi('memory'));
});

describeMysql('REST API on the MySQL store', (db) => {
  routeSuite(() => startApi(db.url));
});
