/**
 * The fuzz property itself can fail: it reports a 5xx nobody documented, an error body in the wrong
 * shape, and a store that changed (so a green fuzz run means something).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { FixtureHolder, checkRouteCase, errorShapeProblem } from '../../bench/fuzz/check.js';
import { storeState } from '../../bench/fuzz/fixture.js';
import { ROUTE_TARGETS, type RouteCase } from '../../bench/fuzz/routes.js';

const holder = new FixtureHolder();
afterAll(() => holder.close());

const plain = (json: unknown): RouteCase => ({ segments: {}, query: '', body: { json }, auth: 'valid', contentType: 'application/json', alias: false });

describe('the fuzz property', () => {
  it('reports a 5xx that is not documented (and accepts the documented one)', async () => {
    const documented = ROUTE_TARGETS.find((t) => t.name === 'osquery log (status)')!;
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
});
