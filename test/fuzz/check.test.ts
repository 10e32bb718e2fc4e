/**
 * The fuzz property itself can fail: it reports a 5xx nobody documented, an error body in the wrong
 * shape, and a store that changed (so a green fuzz run means something) — also through the cheap
 * path the CI suites take (one snapshot per case, a store restored in place, one server per file):
 * a seeded bad handler is caught within a few hundred cases.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { osqsimError } from '../../lib/errors.js';
import { FixtureHolder, checkRouteCase, errorShapeProblem, type Finding } from '../../bench/fuzz/check.js';
import { startFuzzFixture, storeState } from '../../bench/fuzz/fixture.js';
import { ROUTE_TARGETS, type RouteCase } from '../../bench/fuzz/routes.js';
import { MemoryStore } from '../../server/store/index.js';
import type { Host, Team } from '../../server/store/types.js';
import { routeProperty } from './route-fuzz-suite.js';

const holder = new FixtureHolder();
afterAll(() => holder.close());

const plain = (json: unknown): RouteCase => ({ segments: {}, query: '', body: { json }, auth: 'valid', contentType: 'application/json', alias: false });
const target = (name: string) => ROUTE_TARGETS.find((t) => t.name === name)!;

/** A store with two seeded bugs, armed after the fixture is seeded. */
class BuggyStore extends MemoryStore {
  armed = false;
  /** A handler that writes, then rejects: the team stays although the answer is 409. */
  override async createTeam(name: string, description?: string): Promise<Team> {
    const team = await super.createTeam(name, description);
    if (this.armed) throw osqsimError('STORE_CONFLICT', { what: `team ${JSON.stringify(name)}` });
    return team;
  }
  /** A handler that crashes: a TypeError, answered 500. */
  override async getHost(id: number): Promise<Host | undefined> {
    if (this.armed) throw new TypeError('seeded bug: cannot read properties of undefined');
    return super.getHost(id);
  }
}

async function seededRun(name: string, store: BuggyStore | MemoryStore): Promise<fc.RunDetails<[RouteCase]>> {
  const buggy = new FixtureHolder({ make: () => startFuzzFixture(store), restoreInPlace: true });
  try {
    await buggy.get();
    if (store instanceof BuggyStore) store.armed = true;
    return await fc.check(await routeProperty(buggy, target(name), { cases: 0 }), { numRuns: 300, seed: 16, endOnFailure: true });
  } finally {
    await buggy.close();
  }
}

/** The finding a failed run stopped at (routeProperty throws it as JSON). */
function findingOf(run: fc.RunDetails<[RouteCase]>): Finding {
  expect(run.failed).toBe(true);
  const message = String((run.errorInstance as Error).message);
  return JSON.parse(message.slice(message.indexOf('{'))) as Finding;
}

describe('the fuzz property', () => {
  it('reports a 5xx that is not documented (and accepts the documented one)', async () => {
    const documented = target('osquery log (status)');
    const { ids } = await holder.get();
    const bogus = plain({ node_key: ids.nodeKey, log_type: 'bogus', data: [] });
    expect(await checkRouteCase(holder, documented, bogus)).toBeUndefined();
    const finding = await checkRouteCase(holder, { ...documented, documented5xx: undefined }, bogus);
    expect(finding?.problem).toBe('5xx');
    expect(finding?.detail).toMatch(/^500 .*unknown log type/);
  });

  it('reports an error body in another family\'s shape', () => {
    expect(errorShapeProblem('fleet', 400, '{"error":"bad"}')).toMatch(/not fleet's error shape/);
    expect(errorShapeProblem('osquery', 400, '{"message":"Bad request","errors":[]}')).toMatch(/not osquery's error shape/);
    expect(errorShapeProblem('fleet', 400, '{"message":"Bad request","errors":[{"name":"base","reason":"x"}]}')).toBeUndefined();
    expect(errorShapeProblem('orbit', 401, '{"error":"x","node_invalid":true}')).toBeUndefined();
    expect(errorShapeProblem('osquery', 400, 'not json')).toMatch(/not JSON/);
  });

  it('sees any change of the store in its snapshot', async () => {
    const { store } = await holder.get();
    const before = await storeState(store);
    await store.createTeam('changed by the test', '');
    const after = await storeState(store);
    expect(after.counts['teams']).toBe(before.counts['teams']! + 1);
    expect(after.digest).not.toBe(before.digest);
  });

  it('restores a memory store in place to its seeded state, ids still valid', async () => {
    const fixture = await startFuzzFixture();
    try {
      const seeded = await storeState(fixture.store);
      await fixture.store.createTeam('added', '');
      expect(await fixture.store.deleteHost(fixture.ids.hostId)).toBeDefined();
      expect((await storeState(fixture.store)).digest).not.toBe(seeded.digest);
      await fixture.restore!();
      expect(await storeState(fixture.store)).toEqual(seeded);
      expect((await fixture.request('GET', `/api/latest/fleet/hosts/${fixture.ids.hostId}`, undefined)).statusCode).toBe(200);
    } finally {
      await fixture.close();
    }
  });

  it('catches a seeded handler that changes the store and then rejects (store changed), through the CI path', async () => {
    const run = await seededRun('create team', new BuggyStore());
    const finding = findingOf(run);
    expect(finding.problem).toBe('store changed');
    expect(finding.detail).toMatch(/^409 .*already exists.*"teams":1,.* → .*"teams":2,/);
    // The same cases on a correct store find nothing.
    expect((await seededRun('create team', new MemoryStore())).failed).toBe(false);
  });

  it('catches a seeded handler that crashes (5xx), through the CI path', async () => {
    const run = await seededRun('get host', new BuggyStore());
    const finding = findingOf(run);
    expect(finding.problem).toBe('5xx');
    expect(finding.detail).toMatch(/^500 /);
    expect((await seededRun('get host', new MemoryStore())).failed).toBe(false);
  });
});
