import { describeMysql } from '../helpers/mysql.js';
import { defineScheduledQueriesSuite } from './scheduled-queries-suite.js';
import { mysqlStores } from './support.js';

// Each test gets its own fresh database (support.ts mysqlStores).
describeMysql('scheduled queries on the osquery API (MySQL)', () => {
  defineScheduledQueriesSuite(mysqlStores);
});
