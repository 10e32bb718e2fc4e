/**
 * The write routes fuzzed against MySQL (issue 16 item 4): a rejected request must leave the
 * database as it was — a transaction rolled back, not half a spec applied. Every case keeps that
 * check (a snapshot of the database through the Store interface). Fewer cases than on the memory
 * store, which runs the same handlers 1,000 times per route: 25 per route, 8 for routes whose
 * success deletes a fixture entity (the fixture, a fresh database with its migrations, is then
 * rebuilt: ≈ 4 s each on the shared CI machine, against ≈ 0.1 s for a case).
 */
import { ROUTE_TARGETS } from '../../bench/fuzz/routes.js';
import { startFuzzFixture } from '../../bench/fuzz/fixture.js';
import { createStore } from '../../server/store/index.js';
import { createTestDatabase, describeMysql } from '../helpers/mysql.js';
import { describeRouteFuzz } from './route-fuzz-suite.js';

async function mysqlFixture() {
  const database = await createTestDatabase();
  const store = await createStore(database.url);
  return startFuzzFixture(store, async () => {
    await store.close();
    await database.drop();
  });
}

describeMysql('write routes on MySQL (fuzz)', () => {
  describeRouteFuzz('MySQL', ROUTE_TARGETS.filter((t) => t.writes === true), (t) => (t.destructive ? 8 : 25), { make: mysqlFixture, shared: true, timeoutMs: 120_000 });
});
