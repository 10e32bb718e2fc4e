/**
 * The QueryStore and SpecStore contract (scheduled queries, their reports, whole-file apply): one
 * suite run against every store (memory.test.ts, mysql.test.ts). `open` hands out an empty store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HostIdentity, Store } from '../../../server/store/store.js';

export type OpenStore = () => Promise<Store>;

function identity(n: number): HostIdentity {
  return { osqueryHostId: `qh-${n}`, platform: 'ubuntu', hostname: `qh-${n}`, uuid: `qu-${n}`, hardwareSerial: '', osVersion: '', osqueryVersion: '5.12.1' };
}

const rows = (n: number, tag = 'r'): Array<Record<string, string>> => Array.from({ length: n }, (_, i) => ({ name: `${tag}${i}`, i: String(i) }));

export function queriesContract(name: string, open: OpenStore): void {
  describe(`QueryStore contract: ${name}`, () => {
    let store: Store;
    const t0 = new Date('2026-03-04T05:06:07.890Z');

    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    const host = async (n: number, teamId: number | null = null) => (await store.enrollHost(identity(n), `qk-${n}`, teamId, t0)).host;

    it('creates with Fleet defaults, reads by id and (team, name), lists per scope; duplicates conflict per team', async () => {
      const team = await store.createTeam('Servers');
      const g = await store.createQuery({ teamId: null, name: 'usb devices', query: 'SELECT * FROM usb_devices' });
      expect(g).toMatchObject({
        teamId: null, name: 'usb devices', description: '', interval: 0, platform: '', minOsqueryVersion: '',
        automationsEnabled: false, logging: 'snapshot', discardData: false, observerCanRun: false,
      });
      const t = await store.createQuery({
        teamId: team.id, name: 'usb devices', query: 'SELECT 1', interval: 3600, platform: 'darwin, linux',
        minOsqueryVersion: '5.0.1', automationsEnabled: true, logging: 'differential', discardData: true, observerCanRun: true, description: 'd',
      });
      expect(t).toMatchObject({ teamId: team.id, interval: 3600, platform: 'darwin,linux', logging: 'differential', discardData: true, description: 'd' });
      expect(await store.getQuery(g.id)).toEqual(g);
      expect(await store.getQueryByName(team.id, 'usb devices')).toEqual(t);
      expect(await store.getQueryByName(null, 'nope')).toBeUndefined();
      expect((await store.listQueries(null)).map((q) => q.id)).toEqual([g.id]);
      expect((await store.listQueries(team.id)).map((q) => q.id)).toEqual([t.id]);
      await expect(store.createQuery({ teamId: null, name: 'usb devices', query: 'SELECT 2' })).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
      await expect(store.createQuery({ teamId: 999, name: 'x', query: 'SELECT 2' })).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
      await expect(store.createQuery({ teamId: null, name: 'n'.repeat(256), query: 'SELECT 2' })).rejects.toMatchObject({ code: 'STORE_INVALID' });
      expect((await store.listQueries(null)).length).toBe(1);
    });

    it('updates only the given fields; a rename onto another query conflicts; an unknown id is undefined', async () => {
      const a = await store.createQuery({ teamId: null, name: 'a', query: 'SELECT 1', interval: 60 });
      await store.createQuery({ teamId: null, name: 'b', query: 'SELECT 1' });
      const result = await store.updateQuery(a.id, { description: 'new', automationsEnabled: true });
      expect(result?.query).toMatchObject({ name: 'a', description: 'new', automationsEnabled: true, interval: 60, query: 'SELECT 1' });
      expect(result?.resultsDiscarded).toBe(false);
      expect(await store.getQuery(a.id)).toMatchObject({ description: 'new', automationsEnabled: true });
      await expect(store.updateQuery(a.id, { name: 'b' })).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
      expect((await store.getQuery(a.id))?.name).toBe('a');
      expect(await store.updateQuery(9999, { name: 'z' })).toBeUndefined();
    });

    it('stores the latest result per host, replacing the earlier one; an empty run stores a marker row', async () => {
      const q = await store.createQuery({ teamId: null, name: 'q', query: 'SELECT 1', interval: 60 });
      const h1 = await host(1);
      const h2 = await host(2);
      let outcome = await store.recordQueryResults([
        { queryId: q.id, hostId: h1.id, rows: rows(3, 'a'), fetchedAt: t0 },
        { queryId: q.id, hostId: h2.id, rows: [], fetchedAt: t0 },
      ], 1000);
      expect(outcome).toEqual({ stored: 2, rowsInserted: 4, droppedOverCap: 0, droppedUnknown: 0 });
      expect(await store.countQueryResults(q.id)).toBe(3);
      const later = new Date(t0.getTime() + 60_000);
      outcome = await store.recordQueryResults([{ queryId: q.id, hostId: h1.id, rows: rows(1, 'b'), fetchedAt: later }], 1000);
      expect(outcome.stored).toBe(1);
      const stored = await store.queryResults(q.id);
      expect(stored).toEqual([
        { queryId: q.id, hostId: h1.id, lastFetched: later, data: { name: 'b0', i: '0' } },
        { queryId: q.id, hostId: h2.id, lastFetched: t0, data: null },
      ]);
      expect(await store.countQueryResults(q.id)).toBe(1);
    });

    it('caps each report: a set over the cap is dropped whole, a set that would overfill the report changes nothing', async () => {
      const q = await store.createQuery({ teamId: null, name: 'q', query: 'SELECT 1', interval: 60 });
      const [h1, h2, h3] = [await host(1), await host(2), await host(3)];
      let outcome = await store.recordQueryResults([{ queryId: q.id, hostId: h1.id, rows: rows(6), fetchedAt: t0 }], 5);
      expect(outcome).toMatchObject({ stored: 0, droppedOverCap: 1 });
      expect(await store.queryResults(q.id)).toEqual([]);
      outcome = await store.recordQueryResults([
        { queryId: q.id, hostId: h1.id, rows: rows(3), fetchedAt: t0 },
        { queryId: q.id, hostId: h2.id, rows: rows(3), fetchedAt: t0 }, // 6 > 5: refused
        { queryId: q.id, hostId: h3.id, rows: rows(2), fetchedAt: t0 }, // 5: fits
      ], 5);
      expect(outcome).toEqual({ stored: 2, rowsInserted: 5, droppedOverCap: 1, droppedUnknown: 0 });
      expect(await store.countQueryResults(q.id)).toBe(5);
      // A host already in the full report keeps updating (its own rows are replaced).
      outcome = await store.recordQueryResults([{ queryId: q.id, hostId: h1.id, rows: rows(2, 'z'), fetchedAt: t0 }], 5);
      expect(outcome.stored).toBe(1);
      expect(await store.countQueryResults(q.id)).toBe(4);
      expect(new Set((await store.queryResults(q.id)).map((r) => r.hostId))).toEqual(new Set([h1.id, h3.id]));
    });

    it('a batch holding two runs of one host keeps the later one only (no duplicate rows)', async () => {
      const q = await store.createQuery({ teamId: null, name: 'q', query: 'SELECT 1', interval: 60 });
      const h = await host(1);
      await store.recordQueryResults([{ queryId: q.id, hostId: h.id, rows: rows(2, 'old'), fetchedAt: t0 }], 1000);
      const later = new Date(t0.getTime() + 1000);
      const outcome = await store.recordQueryResults([
        { queryId: q.id, hostId: h.id, rows: rows(3, 'a'), fetchedAt: t0 },
        { queryId: q.id, hostId: h.id, rows: rows(1, 'b'), fetchedAt: later },
      ], 1000);
      expect(outcome.stored).toBe(2);
      expect((await store.queryResults(q.id)).map((r) => r.data?.['name'])).toEqual(['b0']);
    });

    it('ignores results for a query or host that does not exist, storing the rest of the batch', async () => {
      const q = await store.createQuery({ teamId: null, name: 'q', query: 'SELECT 1', interval: 60 });
      const h = await host(1);
      const outcome = await store.recordQueryResults([
        { queryId: 9999, hostId: h.id, rows: rows(1), fetchedAt: t0 },
        { queryId: q.id, hostId: 9999, rows: rows(1), fetchedAt: t0 },
        { queryId: q.id, hostId: h.id, rows: rows(2), fetchedAt: t0 },
      ], 1000);
      expect(outcome).toEqual({ stored: 1, rowsInserted: 2, droppedOverCap: 0, droppedUnknown: 2 });
      expect(await store.countQueryResults(q.id)).toBe(2);
    });

    it("an edit that makes the report stale deletes it (Fleet's discard rules); other edits keep it", async () => {
      const q = await store.createQuery({ teamId: null, name: 'q', query: 'SELECT 1', interval: 60, platform: 'darwin,linux' });
      const h = await host(1);
      const fill = () => store.recordQueryResults([{ queryId: q.id, hostId: h.id, rows: rows(2), fetchedAt: t0 }], 1000);
      await fill();
      const keeps = [{ description: 'x' }, { interval: 120 }, { platform: 'linux,darwin' }, { automationsEnabled: true }, { logging: 'snapshot' as const }];
      for (const patch of keeps) {
        expect((await store.updateQuery(q.id, patch))?.resultsDiscarded, JSON.stringify(patch)).toBe(false);
        expect(await store.countQueryResults(q.id)).toBe(2);
      }
      const discards = [{ query: 'SELECT 2' }, { platform: 'darwin' }, { minOsqueryVersion: '5.1.0' }, { logging: 'differential' as const }, { discardData: true }];
      for (const patch of discards) {
        await store.updateQuery(q.id, { discardData: false, logging: 'snapshot' });
        await fill();
        expect((await store.updateQuery(q.id, patch))?.resultsDiscarded, JSON.stringify(patch)).toBe(true);
        expect(await store.queryResults(q.id)).toEqual([]);
      }
    });

    it('deletes queries with their reports; deleting a team deletes its queries; deleting a host deletes its results', async () => {
      const team = await store.createTeam('T');
      const g = await store.createQuery({ teamId: null, name: 'g', query: 'SELECT 1', interval: 60 });
      const t = await store.createQuery({ teamId: team.id, name: 't', query: 'SELECT 1', interval: 60 });
      const h1 = await host(1, team.id);
      const h2 = await host(2);
      await store.recordQueryResults([
        { queryId: g.id, hostId: h1.id, rows: rows(1), fetchedAt: t0 },
        { queryId: g.id, hostId: h2.id, rows: rows(1), fetchedAt: t0 },
        { queryId: t.id, hostId: h1.id, rows: rows(1), fetchedAt: t0 },
      ], 1000);
      await store.deleteHost(h2.id);
      expect((await store.queryResults(g.id)).map((r) => r.hostId)).toEqual([h1.id]);
      expect(await store.deleteTeam(team.id)).toBe(true);
      expect(await store.getQuery(t.id)).toBeUndefined();
      expect(await store.queryResults(t.id)).toEqual([]);
      expect(await store.deleteQueries([g.id, 9999, g.id])).toEqual([g.id]);
      expect(await store.queryResults(g.id)).toEqual([]);
      expect(await store.deleteQueries([g.id])).toEqual([]);
    });

    it("lists an agent's scheduled queries per pack with Fleet's filter", async () => {
      const team = await store.createTeam('T');
      const make = (name: string, extra: Record<string, unknown>, teamId: number | null = null) =>
        store.createQuery({ teamId, name, query: 'SELECT 1', interval: 60, ...extra });
      const report = await make('report only', {});
      await make('not scheduled', { interval: 0, automationsEnabled: true });
      const auto = await make('automations', { automationsEnabled: true, discardData: true, logging: 'differential' });
      await make('discarded, no automations', { discardData: true });
      await make('differential, no automations', { logging: 'differential' });
      const teamQuery = await make('team', {}, team.id);
      expect((await store.scheduledQueries(null)).map((q) => q.id)).toEqual([report.id, auto.id]);
      expect((await store.scheduledQueries(team.id)).map((q) => q.id)).toEqual([teamQuery.id]);
    });

    it('applies a whole file (policies and queries) in one step: upserts by (team, name), nothing written on failure', async () => {
      const team = await store.createTeam('T');
      const existing = await store.createQuery({ teamId: null, name: 'q1', query: 'SELECT 1', interval: 60, automationsEnabled: true });
      const h = await host(1);
      await store.recordQueryResults([{ queryId: existing.id, hostId: h.id, rows: rows(1), fetchedAt: t0 }], 1000);
      const outcome = await store.applySpecs({
        policies: [{ teamId: null, name: 'p1', query: 'SELECT 1' }],
        queries: [
          { teamId: null, name: 'q1', query: 'SELECT 2', interval: 300 },
          { teamId: team.id, name: 'q1', query: 'SELECT 3' },
        ],
      });
      expect(outcome.policies.map((p) => [p.policy.name, p.result])).toEqual([['p1', 'created']]);
      expect(outcome.queries[0]!.result).toMatchObject({ resultsDiscarded: true });
      // A spec replaces every field: automations_enabled goes back to its default.
      expect(outcome.queries[0]!.query).toMatchObject({ id: existing.id, query: 'SELECT 2', interval: 300, automationsEnabled: false });
      expect(outcome.queries[1]).toMatchObject({ result: 'created', query: { teamId: team.id } });
      expect(await store.queryResults(existing.id)).toEqual([]);

      const before = { policies: await store.listAllPolicies(), global: await store.listQueries(null), team: await store.listQueries(team.id) };
      await expect(store.applySpecs({
        policies: [{ teamId: null, name: 'p2', query: 'SELECT 1' }],
        queries: [{ teamId: null, name: 'q2', query: 'SELECT 1' }, { teamId: 4242, name: 'q3', query: 'SELECT 1' }],
      })).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
      await expect(store.applySpecs({
        policies: [{ teamId: 4242, name: 'p2', query: 'SELECT 1' }],
        queries: [{ teamId: null, name: 'q2', query: 'SELECT 1' }],
      })).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
      expect({ policies: await store.listAllPolicies(), global: await store.listQueries(null), team: await store.listQueries(team.id) }).toEqual(before);
    });
  });
}
