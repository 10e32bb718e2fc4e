import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { cellKey } from '../../../server/stats/counts.js';
import { createIncrementalStrategy } from '../../../server/stats/incremental.js';
import type { Store } from '../../../server/store/store.js';
import type { PolicyCount } from '../../../server/store/types.js';
import { smallFleet } from './fixtures.js';

const cells = (rows: readonly PolicyCount[]): Record<string, string> =>
  Object.fromEntries(
    rows.filter((r) => r.passing !== 0 || r.failing !== 0).map((r) => [cellKey(r.policyId, r.inheritedTeamId), `${r.passing}/${r.failing}`]),
  );

/** The store with addPolicyCountDeltas calls timed. */
function timedDeltas(store: Store): { store: Store; calls: number[] } {
  const calls: number[] = [];
  const wrapped = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property === 'addPolicyCountDeltas') {
        return (...args: Parameters<Store['addPolicyCountDeltas']>) => {
          calls.push(performance.now());
          return target.addPolicyCountDeltas(...args);
        };
      }
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: wrapped, calls };
}

describe('incremental strategy', () => {
  it('shows a write in reads at once and persists it on flush, per team for global policies', async () => {
    const fleet = await smallFleet();
    const { globalPolicy: g, teamAPolicy: ta, teamA, hosts } = fleet;
    const strategy = createIncrementalStrategy({ store: fleet.store, events: fleet.events, now: () => new Date() }, { flushIntervalMs: 60_000 });
    await fleet.write(hosts.a1, { [g]: true, [ta]: false });
    await fleet.write(hosts.n1, { [g]: false });
    await fleet.write(hosts.n2, { [g]: null });
    const expected = {
      [cellKey(g, null)]: '1/1',
      [cellKey(g, teamA)]: '1/0',
      [cellKey(g, 0)]: '0/1',
      [cellKey(ta, null)]: '0/1',
    };
    expect(cells(await strategy.reader.readCounts())).toEqual(expected);
    await sleep(5); // the first flush goes out at once (delay 0): wait for it
    expect(cells(await fleet.store.readPolicyCounts())).toEqual(expected);
    await fleet.write(hosts.a1, { [g]: false }); // pass → fail: within the flush interval, pending only
    expect(cells(await strategy.reader.readCounts())[cellKey(g, teamA)]).toBe('0/1');
    expect(cells(await fleet.store.readPolicyCounts())[cellKey(g, teamA)]).toBe('1/0');
    await strategy.stop(); // stop flushes
    expect(cells(await fleet.store.readPolicyCounts())[cellKey(g, teamA)]).toBe('0/1');
  });

  it('persists at most once per flush interval', async () => {
    const fleet = await smallFleet();
    const timed = timedDeltas(fleet.store);
    const strategy = createIncrementalStrategy({ store: timed.store, events: fleet.events, now: () => new Date() }, { flushIntervalMs: 200 });
    const hostIds = Object.values(fleet.hosts);
    for (let i = 0; i < 40; i++) {
      await fleet.write(hostIds[i % hostIds.length]!, { [fleet.globalPolicy]: i % 3 === 0 });
      await sleep(20);
    }
    await strategy.stop();
    expect(timed.calls.length).toBeGreaterThanOrEqual(2);
    const gaps = timed.calls.slice(1).map((at, i) => at - timed.calls[i]!);
    for (const gap of gaps.slice(0, -1)) expect(gap).toBeGreaterThanOrEqual(195); // the last one is stop()'s flush
  });

  it('a deleted policy loses its stats and late deltas do not bring them back', async () => {
    const fleet = await smallFleet();
    const { globalPolicy: g, hosts } = fleet;
    const strategy = createIncrementalStrategy({ store: fleet.store, events: fleet.events, now: () => new Date() }, { flushIntervalMs: 60_000 });
    await fleet.write(hosts.a1, { [g]: true });
    await strategy.flush();
    await fleet.write(hosts.a2, { [g]: true }); // pending when the policy goes
    await fleet.store.deletePolicies([g]);
    fleet.events.emit('policiesChanged', [g]);
    fleet.events.emit('membershipChanged', [{ policyId: g, hostId: hosts.b1, hostTeamId: fleet.teamB, before: undefined, after: false }]);
    await strategy.flush();
    expect((await strategy.reader.readCounts()).filter((r) => r.policyId === g)).toEqual([]);
    expect((await fleet.store.readPolicyCounts()).filter((r) => r.policyId === g)).toEqual([]);
  });

  it('a query edit clears the counts; new results count again', async () => {
    const fleet = await smallFleet();
    const { globalPolicy: g, hosts } = fleet;
    const strategy = createIncrementalStrategy({ store: fleet.store, events: fleet.events, now: () => new Date() }, { flushIntervalMs: 60_000 });
    await fleet.write(hosts.a1, { [g]: true });
    await fleet.write(hosts.b1, { [g]: false });
    await strategy.flush();
    await fleet.store.updatePolicy(g, { query: 'SELECT 42;' });
    await fleet.store.deletePolicyCounts(g);
    fleet.events.emit('policiesChanged', [g]);
    const removed = await fleet.store.clearPolicyMembershipBatch(g, 500);
    fleet.events.emit('membershipChanged', removed);
    await strategy.flush();
    expect(cells(await strategy.reader.readCounts())).toEqual({});
    await fleet.write(hosts.n1, { [g]: true });
    await strategy.flush();
    expect(cells(await fleet.store.readPolicyCounts())).toEqual({ [cellKey(g, null)]: '1/0', [cellKey(g, 0)]: '1/0' });
  });

  it('the reconcile measures drift and repairs it (team deletion moves hosts without events)', async () => {
    const fleet = await smallFleet();
    const { globalPolicy: g, teamB, hosts } = fleet;
    const strategy = createIncrementalStrategy({ store: fleet.store, events: fleet.events, now: () => new Date() }, { flushIntervalMs: 60_000 });
    await fleet.write(hosts.b1, { [g]: true });
    await fleet.write(hosts.n1, { [g]: false });
    expect(await strategy.periodic!()).toMatchObject({ drift: 0 });
    await fleet.store.deleteTeam(teamB); // b1 → No team, no membershipChanged
    const outcome = await strategy.periodic!();
    // No team's cell is wrong (0/1 stored, 1/1 true); team B's cell went with the team.
    expect(outcome.drift).toBe(1);
    expect(outcome.policiesUpdated).toBe(1);
    expect(outcome.rowsScanned).toBe(2);
    expect(cells(await strategy.reader.readCounts())).toEqual({ [cellKey(g, null)]: '1/1', [cellKey(g, 0)]: '1/1' });
    expect(await strategy.periodic!()).toMatchObject({ drift: 0 });
  });

  it('the reconcile repairs counts tampered with in the store', async () => {
    const fleet = await smallFleet();
    const { globalPolicy: g, hosts } = fleet;
    const strategy = createIncrementalStrategy({ store: fleet.store, events: fleet.events, now: () => new Date() }, { flushIntervalMs: 60_000 });
    await fleet.write(hosts.a1, { [g]: true });
    await strategy.flush();
    await fleet.store.addPolicyCountDeltas([{ policyId: g, inheritedTeamId: null, passing: 5, failing: 0 }], new Date());
    expect(await strategy.periodic!()).toMatchObject({ drift: 1, policiesUpdated: 1 });
    expect(cells(await fleet.store.readPolicyCounts())[cellKey(g, null)]).toBe('1/0');
  });
});
