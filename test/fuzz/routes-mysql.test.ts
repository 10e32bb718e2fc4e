/**
 * The write routes fuzzed against MySQL (issue 16 item 4): a rejected request must leave the
 * database as it was — a transaction rolled back, not half a spec applied. Every case keeps that
 * check: CHECKSUM TABLE and a row count of every store table but host_seen_times, in one round trip
 * (bench/fuzz/mysql-fixture.ts; test/fuzz/check-mysql.test.ts shows it catches a seeded bug).
 * 1,000 cases per route, as on the memory store: 32 routes, 32,000 cases, ≈ 45 s on the 2-core
 * machine when quiet (≈ 1 ms a REST case, 1–3 ms an osquery one).
 *
 * One database, migrated and seeded once, its rows saved beside it. The REST routes read the store
 * directly: one server, its rows restored in place (≈ 2–4 ms) before each route and after a
 * success that deleted a fixture entity. The osquery and orbit routes go through the host and auth
 * caches: each reset restores the rows and builds a new server over them (≈ 40 ms), as the memory
 * store's suites build a new server for these routes.
 */
import { afterAll } from 'vitest';
import { mysqlFuzzFixtures, type MysqlFuzzFixtures } from '../../bench/fuzz/mysql-fixture.js';
import { ROUTE_TARGETS } from '../../bench/fuzz/routes.js';
import { describeMysql } from '../helpers/mysql.js';
import { describeRouteFuzz } from './route-fuzz-suite.js';

const RUNS = 1_000;
const writes = ROUTE_TARGETS.filter((t) => t.writes === true);
const agent = writes.filter((t) => t.shape === 'osquery' || t.shape === 'orbit');
const rest = writes.filter((t) => !agent.includes(t));

describeMysql('write routes on MySQL (fuzz)', (db) => {
  // Made at the first fixture (db.url is set in a hook); one fixture is open at a time, as the suites run in order.
  let fixtures: MysqlFuzzFixtures | undefined;
  const make = () => (fixtures ??= mysqlFuzzFixtures(db.url)).make();
  afterAll(() => fixtures?.close());
  describeRouteFuzz('MySQL, osquery and orbit routes', agent, () => RUNS, { make, shared: true, timeoutMs: 120_000 });
  describeRouteFuzz('MySQL, REST routes', rest, () => RUNS, { make, shared: true, restoreInPlace: true, timeoutMs: 120_000 });
});
