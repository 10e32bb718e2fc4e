import { describe, expect, it } from 'vitest';
import { createCronStrategy } from '../../../server/stats/cron.js';
import { cellKey } from '../../../server/stats/counts.js';
import type { PolicyCount } from '../../../server/store/types.js';
import { manualClock, smallFleet } from './fixtures.js';

const byCell = (rows: readonly PolicyCount[]): Map<string, PolicyCount> =>
  new Map(rows.map((row) => [cellKey(row.policyId, row.inheritedTeamId), row]));

describe('cron strategy', () => {
  it('counts global policies per team (0 = No team) and overall, passes 1/0 only', async () => {
    const fleet = await smallFleet();
    const { globalPolicy: g, teamAPolicy: ta, noTeamPolicy: nt, teamA, teamB, hosts } = fleet;
    await fleet.write(hosts.a1, { [g]: true, [ta]: false });
    await fleet.write(hosts.a2, { [g]: false, [ta]: null });
    await fleet.write(hosts.b1, { [g]: true });
    await fleet.write(hosts.n1, { [g]: null, [nt]: true });
    await fleet.write(hosts.n2, { [g]: false, [nt]: false });
    const clock = manualClock();
    const cron = createCronStrategy({ store: fleet.store, events: fleet.events, now: clock.now });
    await cron.periodic!();
    const rows = byCell(await cron.reader.readCounts());
    const counts = (key: string): [number, number] => [rows.get(key)?.passing ?? -1, rows.get(key)?.failing ?? -1];
    expect(counts(cellKey(g, null))).toEqual([2, 2]);
    expect(counts(cellKey(g, teamA))).toEqual([1, 1]);
    expect(counts(cellKey(g, teamB))).toEqual([1, 0]);
    expect(counts(cellKey(g, 0))).toEqual([0, 1]); // n1's NULL is not counted
    expect(counts(cellKey(ta, null))).toEqual([0, 1]);
    expect(counts(cellKey(nt, null))).toEqual([1, 1]);
    // Team and No-team policies have only the overall row.
    expect(rows.has(cellKey(ta, teamA))).toBe(false);
    expect(rows.has(cellKey(nt, 0))).toBe(false);
  });

  it('host_count_updated_at is the time of the run and reads stay as of the last run', async () => {
    const fleet = await smallFleet();
    const clock = manualClock('2026-03-01T10:00:00.000Z');
    const cron = createCronStrategy({ store: fleet.store, events: fleet.events, now: clock.now });
    expect(await cron.reader.readCounts()).toEqual([]); // nothing until the first run (Fleet: null)
    await fleet.write(fleet.hosts.a1, { [fleet.globalPolicy]: true });
    await cron.periodic!();
    const first = byCell(await cron.reader.readCounts()).get(cellKey(fleet.globalPolicy, null))!;
    expect(first.updatedAt.toISOString()).toBe('2026-03-01T10:00:00.000Z');
    expect(first.passing).toBe(1);

    clock.advance(30 * 60_000);
    await fleet.write(fleet.hosts.a2, { [fleet.globalPolicy]: true });
    const stale = byCell(await cron.reader.readCounts()).get(cellKey(fleet.globalPolicy, null))!;
    expect([stale.passing, stale.updatedAt.toISOString()]).toEqual([1, '2026-03-01T10:00:00.000Z']);

    clock.advance(30 * 60_000);
    await cron.periodic!();
    const fresh = byCell(await cron.reader.readCounts()).get(cellKey(fleet.globalPolicy, null))!;
    expect([fresh.passing, fresh.updatedAt.toISOString()]).toEqual([2, '2026-03-01T11:00:00.000Z']);
  });

  it('reports rows scanned and policies updated, and zeroes cells of a deleted team', async () => {
    const fleet = await smallFleet();
    const { globalPolicy: g, teamB, hosts } = fleet;
    await fleet.write(hosts.a1, { [g]: true });
    await fleet.write(hosts.b1, { [g]: false });
    const cron = createCronStrategy({ store: fleet.store, events: fleet.events, now: () => new Date() });
    expect(await cron.periodic!()).toEqual({ rowsScanned: 2, policiesUpdated: 3, drift: 0 });
    await fleet.store.deleteTeam(teamB); // b1 moves to No team
    await cron.periodic!();
    const rows = byCell(await cron.reader.readCounts());
    expect([rows.get(cellKey(g, teamB))?.failing ?? 0, rows.get(cellKey(g, 0))?.failing]).toEqual([0, 1]);
  });

  it('skips a row whose upsert fails (policy deleted meanwhile) and keeps the others', async () => {
    const fleet = await smallFleet();
    await fleet.write(fleet.hosts.a1, { [fleet.globalPolicy]: true, [fleet.teamAPolicy]: true });
    const store = fleet.store;
    const failing = new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'upsertPolicyCounts') {
          return async (rows: ReadonlyArray<{ policyId: number }>, at: Date) => {
            if (rows.some((row) => row.policyId === fleet.teamAPolicy)) throw new Error('foreign key: policy is gone');
            return target.upsertPolicyCounts(rows as never, at);
          };
        }
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const cron = createCronStrategy({ store: failing, events: fleet.events, now: () => new Date() });
    await cron.periodic!();
    const rows = byCell(await store.readPolicyCounts());
    expect(rows.get(cellKey(fleet.globalPolicy, null))?.passing).toBe(1);
    expect(rows.has(cellKey(fleet.teamAPolicy, null))).toBe(false);
  });
});
