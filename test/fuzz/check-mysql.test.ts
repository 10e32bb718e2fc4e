/**
 * The MySQL fuzz fixture's own checks can fail (test/fuzz/check.test.ts does the same for the
 * memory store): its table checksums see a change storeState would see — a row added, a column
 * changed with every count the same, half of a spec applied —, its in-place restore brings the
 * seeded rows back with their ids, and it covers every table the migrations create. A seeded bad
 * handler is caught through the path test/fuzz/routes-mysql.test.ts takes (one snapshot per case,
 * rows restored in place under one server).
 */
import fc from 'fast-check';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { expect, it } from 'vitest';
import { osqsimError } from '../../lib/errors.js';
import { FixtureHolder, type Finding } from '../../bench/fuzz/check.js';
import { storeState } from '../../bench/fuzz/fixture.js';
import { CHECKED_TABLES, UNCHECKED_TABLES, mysqlFuzzFixtures, type MysqlFuzzFixtureOptions, type MysqlFuzzFixtures } from '../../bench/fuzz/mysql-fixture.js';
import { ROUTE_TARGETS, type RouteCase } from '../../bench/fuzz/routes.js';
import { MysqlStore, TABLES } from '../../server/store/mysql/index.js';
import type { PolicyPatch, PolicySpecInput } from '../../server/store/types.js';
import type { Policy, PolicyUpdateResult } from '../../server/store/store.js';
import { createTestDatabase, describeMysql } from '../helpers/mysql.js';
import { routeProperty } from './route-fuzz-suite.js';

const target = (name: string) => ROUTE_TARGETS.find((t) => t.name === name)!;

/** A MySQL store with two seeded bugs, armed after the fixture is seeded: writes that commit, then answer 409. */
class BuggyMysqlStore extends MysqlStore {
  armed = false;
  /** Half of a spec applied: the first policy is written, then the request fails. */
  override async applyPolicySpecs(specs: readonly PolicySpecInput[]): Promise<Array<{ policy: Policy; result: PolicyUpdateResult | 'created' }>> {
    if (!this.armed || specs.length < 2) return super.applyPolicySpecs(specs);
    await super.applyPolicySpecs(specs.slice(0, 1));
    throw osqsimError('STORE_CONFLICT', { what: `policy ${JSON.stringify(specs[1]!.name)}` });
  }
  /** A column changed, every count the same: the edit is kept although the answer is 409. */
  override async updatePolicy(id: number, patch: PolicyPatch): Promise<PolicyUpdateResult | undefined> {
    const result = await super.updatePolicy(id, patch);
    if (this.armed && result !== undefined) throw osqsimError('STORE_CONFLICT', { what: `policy ${id}` });
    return result;
  }
}

/** Runs `body` on fixtures over a database of its own (each seeds its own entities), then drops it. */
async function onFreshDatabase<T>(body: (fixtures: MysqlFuzzFixtures, url: string) => Promise<T>, options: MysqlFuzzFixtureOptions = {}): Promise<T> {
  const database = await createTestDatabase();
  const fixtures = mysqlFuzzFixtures(database.url, options);
  try {
    return await body(fixtures, database.url);
  } finally {
    await fixtures.close();
    await database.drop();
  }
}

/** 300 cases of a route through the CI path; the store armed once seeded when `buggy`. */
function seededRun(name: string, buggy: boolean): Promise<fc.RunDetails<[RouteCase]>> {
  let latest: BuggyMysqlStore | undefined;
  return onFreshDatabase(async (fixtures) => {
    const holder = new FixtureHolder({ make: () => fixtures.make(), restoreInPlace: true });
    try {
      await holder.get();
      latest!.armed = buggy;
      return await fc.check(await routeProperty(holder, target(name), { cases: 0 }), { numRuns: 300, seed: 16, endOnFailure: true });
    } finally {
      await holder.close();
    }
  }, { openStore: (url) => (latest = new BuggyMysqlStore(url)) });
}

function findingOf(run: fc.RunDetails<[RouteCase]>): Finding {
  expect(run.failed).toBe(true);
  const message = String((run.errorInstance as Error).message);
  return JSON.parse(message.slice(message.indexOf('{'))) as Finding;
}

describeMysql('the fuzz property on MySQL', () => {
  it('checks and restores every table the migrations create (schema_migrations aside)', () =>
    onFreshDatabase(async (fixtures, url) => {
      const fixture = await fixtures.make();
      const admin = await mysql.createConnection(url);
      try {
        const [rows] = await admin.query<RowDataPacket[]>('SHOW TABLES');
        const names = rows.map((row) => String(Object.values(row)[0])).filter((table) => table !== 'schema_migrations' && !table.startsWith('fuzz_seeded_'));
        expect([...TABLES].sort()).toEqual(names.sort());
        expect([...CHECKED_TABLES, ...Object.keys(UNCHECKED_TABLES)].sort()).toEqual(names.sort());
      } finally {
        await admin.end();
        await fixture.close();
      }
    }));

  it('sees what storeState sees (a row, one column), and restores the seeded rows in place with their ids', () =>
    onFreshDatabase(async (fixtures, url) => {
      const fixture = await fixtures.make();
      const admin = await mysql.createConnection(url);
      try {
        const seeded = await fixture.state!();
        const seededContent = await storeState(fixture.store);

        await fixture.store.createTeam('added', '');
        const grown = await fixture.state!();
        expect(grown.counts['teams']).toBe(seeded.counts['teams']! + 1);
        expect(grown.digest).not.toBe(seeded.digest);

        await fixture.restore!();
        expect(await fixture.state!()).toEqual(seeded);
        await admin.query('UPDATE policies SET resolution = ? WHERE id = ?', ['changed behind the store', fixture.ids.policyId]);
        const edited = await fixture.state!();
        expect(edited.counts).toEqual(seeded.counts);
        expect(edited.digest).not.toBe(seeded.digest);
        expect((await storeState(fixture.store)).digest).not.toBe(seededContent.digest);

        expect(await fixture.store.deleteHost(fixture.ids.hostId)).toBeDefined();
        await fixture.restore!();
        expect(await fixture.state!()).toEqual(seeded);
        expect(await storeState(fixture.store)).toEqual(seededContent);
        expect((await fixture.request('GET', `/api/latest/fleet/hosts/${fixture.ids.hostId}`, undefined)).statusCode).toBe(200);
      } finally {
        await admin.end();
        await fixture.close();
      }
    }));

  it('builds the next fixture as a new server over the restored rows, and refuses it while the last is open', () =>
    onFreshDatabase(async (fixtures) => {
      const first = await fixtures.make();
      const seeded = await first.state!();
      try {
        await expect(fixtures.make()).rejects.toThrow(/close the last fixture/);
        expect((await first.store.createTeam('added', '')).id).toBeGreaterThan(0);
      } finally {
        await first.close();
      }
      const next = await fixtures.make();
      try {
        expect(next.ids).toEqual(first.ids);
        expect(await next.state!()).toEqual(seeded);
        expect((await next.request('POST', '/api/osquery/config', JSON.stringify({ node_key: next.ids.nodeKey }))).statusCode).toBe(200);
      } finally {
        await next.close();
      }
    }));

  it('catches half of a spec applied before a 409 (store changed), through the CI path', async () => {
    const finding = findingOf(await seededRun('apply policy specs', true));
    expect(finding.problem).toBe('store changed');
    expect(finding.detail).toMatch(/^409 /);
    expect((await seededRun('apply policy specs', false)).failed).toBe(false);
  });

  it('catches a column changed before a 409 with every count the same (store changed), through the CI path', async () => {
    const finding = findingOf(await seededRun('modify global policy', true));
    expect(finding.problem).toBe('store changed');
    expect(finding.detail).toMatch(/^409 /);
    const [before, after] = finding.detail.split('; counts ')[1]!.split(' → ');
    expect(after).toBe(before);
    expect((await seededRun('modify global policy', false)).failed).toBe(false);
  });
});
