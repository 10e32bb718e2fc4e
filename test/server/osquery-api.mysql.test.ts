import { describeMysql } from '../helpers/mysql.js';
import { defineOsqueryApiSuite } from './osquery-suite.js';
import { mysqlStores } from './support.js';

// Each test gets its own fresh database (support.ts mysqlStores); describeMysql decides run/skip/fail.
describeMysql('osquery API (MySQL)', () => {
  defineOsqueryApiSuite(mysqlStores);
});
