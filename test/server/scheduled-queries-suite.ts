/**
 * Scheduled queries on the osquery API, run on every store kind: the packs of /config (Fleet's
 * getPackConfig) and result logs on /log stored as capped reports (Fleet's SubmitResultLogs).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { QueryInput } from '../../server/store/store.js';
import { startTestServer, type StoreFactory, type TestServer } from './support.js';

export function defineScheduledQueriesSuite(factory: StoreFactory): void {
  let running: TestServer[] = [];
  const start = async (options: Parameters<typeof startTestServer>[1] = {}): Promise<TestServer> => {
    const server = await startTestServer(factory, options);
    running.push(server);
    return server;
  };
  afterEach(async () => {
    for (const server of running) await server.close();
    running = [];
  });

  const query = async (t: TestServer, input: Partial<QueryInput> & { name: string }) => {
    const created = await t.store.createQuery({ teamId: null, query: 'SELECT 1', interval: 3600, ...input });
    t.server.context.events.emit('queriesChanged', [created.id]);
    return created;
  };
  const config = async (t: TestServer, key: string) => (await t.post('/api/osquery/config', { node_key: key })).json() as { packs?: Record<string, { queries: Record<string, unknown> }> };
  const log = (t: TestServer, key: string, data: unknown[]) => t.post('/api/osquery/log', { node_key: key, log_type: 'result', data });
  const metrics = async (t: TestServer) => (await t.server.app.inject({ method: 'GET', url: '/metrics' })).body;
  const snapshot = (name: string, rows: Array<Record<string, string>>, unixTime = 1_700_000_000) =>
    ({ name, hostIdentifier: 'x', calendarTime: 'Mon Jan 1 00:00:00 2024 UTC', unixTime, epoch: 0, counter: 0, numerics: false, snapshot: rows, action: 'snapshot' });

  describe(`scheduled queries on the ${factory.kind} store`, () => {
    it('serves global and team queries in packs "Global" and "team-<id>" with interval, platform, version and logging', async () => {
      const t = await start();
      const team = await t.store.createTeam('Servers');
      await t.store.ensureEnrollSecret('team-secret', team.id);
      await query(t, { name: 'usb', query: 'SELECT * FROM usb_devices', platform: 'darwin,linux', minOsqueryVersion: '5.2.0' });
      await query(t, { name: 'diff', interval: 60, logging: 'differential', automationsEnabled: true });
      await query(t, { name: 'diff keep', interval: 60, logging: 'differential_ignore_removals', automationsEnabled: true });
      await query(t, { name: 'not scheduled', interval: 0 });
      await query(t, { name: 'discarded', discardData: true });
      await query(t, { teamId: team.id, name: 'team only', interval: 300 });
      const globalHost = await t.enroll('g-1');
      const teamHost = await t.enroll('t-1', { secret: 'team-secret' });
      const expectedGlobal = {
        usb: { query: 'SELECT * FROM usb_devices', interval: 3600, platform: 'darwin,linux', version: '5.2.0', snapshot: true },
        diff: { query: 'SELECT 1', interval: 60, platform: '', version: '', removed: true },
        'diff keep': { query: 'SELECT 1', interval: 60, platform: '', version: '', removed: false },
      };
      expect((await config(t, globalHost)).packs).toEqual({ Global: { queries: expectedGlobal } });
      expect((await config(t, teamHost)).packs).toEqual({
        Global: { queries: expectedGlobal },
        [`team-${team.id}`]: { queries: { 'team only': { query: 'SELECT 1', interval: 300, platform: '', version: '', snapshot: true } } },
      });
    });

    it('shows a new or deleted query in the next config (this instance: at once)', async () => {
      const t = await start();
      const key = await t.enroll('c-1');
      expect((await config(t, key)).packs).toBeUndefined();
      const q = await query(t, { name: 'q' });
      expect(Object.keys((await config(t, key)).packs?.['Global']?.queries ?? {})).toEqual(['q']);
      await t.store.deleteQueries([q.id]);
      t.server.context.events.emit('queriesChanged', [q.id]);
      expect((await config(t, key)).packs).toBeUndefined();
    });

    it('stores the latest snapshot per query as its report, counts rows per query, and answers {} ', async () => {
      const t = await start();
      const q = await query(t, { name: 'usb devices' });
      const key = await t.enroll('l-1');
      const host = await t.host(key);
      const response = await log(t, key, [
        snapshot('pack/Global/usb devices', [{ model: 'old' }], 1_700_000_000),
        snapshot('pack/Global/usb devices', [{ model: 'a' }, { model: 'b' }], 1_700_000_060),
      ]);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({});
      expect((await t.store.queryResults(q.id)).map((r) => [r.hostId, r.data])).toEqual([[host.id, { model: 'a' }], [host.id, { model: 'b' }]]);
      const text = await metrics(t);
      expect(text).toContain(`osqsim_scheduled_query_rows_total{query_id="${q.id}"} 3`);
      expect(text).toContain('osqsim_scheduled_query_results_total{outcome="stored"} 1');
      // The next run replaces the host's rows.
      await log(t, key, [snapshot('pack/Global/usb devices', [], 1_700_003_600)]);
      expect((await t.store.queryResults(q.id)).map((r) => r.data)).toEqual([null]);
    });

    it('regroups event-format snapshot rows (--logger_snapshot_event_type) into one result set', async () => {
      const t = await start();
      const q = await query(t, { name: 'procs' });
      const key = await t.enroll('e-1');
      const event = (name: string) => ({ name: 'pack/Global/procs', unixTime: 1_700_000_000, columns: { name }, action: 'snapshot' });
      await log(t, key, [event('a'), event('b'), event('c')]);
      expect((await t.store.queryResults(q.id)).map((r) => r.data?.['name'])).toEqual(['a', 'b', 'c']);
    });

    it('ignores unknown queries, other teams, unscheduled, differential and discarded queries, and unreadable lines — never an error', async () => {
      const t = await start();
      const team = await t.store.createTeam('Other');
      const other = await query(t, { teamId: team.id, name: 'theirs' });
      const unscheduled = await query(t, { name: 'manual', interval: 0 });
      const diff = await query(t, { name: 'diff', logging: 'differential', automationsEnabled: true });
      const discarded = await query(t, { name: 'discarded', discardData: true, automationsEnabled: true });
      const key = await t.enroll('i-1');
      const response = await log(t, key, [
        snapshot('pack/Global/nope', [{ a: '1' }]),
        snapshot(`pack/team-${team.id}/theirs`, [{ a: '1' }]),
        snapshot('pack/Global/manual', [{ a: '1' }]),
        { name: 'pack/Global/diff', unixTime: 1, columns: { a: '1' }, action: 'added' },
        snapshot('pack/Global/discarded', [{ a: '1' }]),
        snapshot('pack/legacy-2017-pack/q', [{ a: '1' }]),
        'not an object',
        { unixTime: 1, snapshot: [] },
        { name: 'pack/Global/nope', snapshot: ['not a row'] },
      ]);
      expect(response.statusCode).toBe(200);
      for (const id of [other.id, unscheduled.id, diff.id, discarded.id]) expect(await t.store.queryResults(id)).toEqual([]);
      const text = await metrics(t);
      expect(text).toContain('osqsim_scheduled_query_results_total{outcome="unknown_query"} 3');
      expect(text).toContain('osqsim_scheduled_query_results_total{outcome="not_scheduled"} 1');
      expect(text).toContain('osqsim_scheduled_query_results_total{outcome="no_report"} 2');
      expect(text).toContain('osqsim_scheduled_query_results_total{outcome="unreadable"} 3');
      expect(text).toContain(`osqsim_scheduled_query_rows_total{query_id="${diff.id}"} 1`);
    });

    it('caps the report per query (--query-report-cap): a bigger result is dropped whole, hosts past the cap are not stored', async () => {
      const t = await start({ queryReportCap: 3 });
      const q = await query(t, { name: 'q' });
      const [a, b, c] = [await t.enroll('cap-a'), await t.enroll('cap-b'), await t.enroll('cap-c')];
      const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ i: String(i) }));
      await log(t, a, [snapshot('pack/Global/q', rows(4))]);
      expect(await t.store.countQueryResults(q.id)).toBe(0);
      await log(t, a, [snapshot('pack/Global/q', rows(2))]);
      await log(t, b, [snapshot('pack/Global/q', rows(2))]);
      await log(t, c, [snapshot('pack/Global/q', rows(1))]);
      expect(await t.store.countQueryResults(q.id)).toBe(3);
      expect(await metrics(t)).toContain('osqsim_scheduled_query_results_total{outcome="over_cap"} 2');
    });

    it('a store failure while saving a report is logged and answered 200, with nothing stored (as Fleet)', async () => {
      const t = await start();
      const q = await query(t, { name: 'q' });
      const key = await t.enroll('f-1');
      await config(t, key); // host and queries cached
      // Replaced before the server's store wrapper (server/faults.ts) first binds the method.
      const store = t.store as unknown as { recordQueryResults: (...args: unknown[]) => Promise<unknown> };
      const original = store.recordQueryResults.bind(store);
      store.recordQueryResults = () => Promise.reject(Object.assign(new Error('down'), { code: 'STORE_UNAVAILABLE' }));
      try {
        const response = await log(t, key, [snapshot('pack/Global/q', [{ a: '1' }])]);
        expect(response.statusCode).toBe(200);
      } finally {
        store.recordQueryResults = original;
      }
      expect(await t.store.queryResults(q.id)).toEqual([]);
      expect(await metrics(t)).toContain('osqsim_scheduled_query_results_total{outcome="store_failed"} 1');
    });
  });
}
