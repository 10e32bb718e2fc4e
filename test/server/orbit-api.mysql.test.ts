import { describeMysql } from '../helpers/mysql.js';
import { defineOrbitApiSuite } from './orbit-suite.js';
import { mysqlStores } from './support.js';

// Each test gets its own fresh database (support.ts mysqlStores); describeMysql decides run/skip/fail.
describeMysql('fleetd API (MySQL)', () => {
  defineOrbitApiSuite(mysqlStores);
});
