/**
 * The queries REST API (Fleet's /queries routes, /spec/queries) and osqsim's whole-file
 * /osqsim/spec, run once per store (query-routes.test.ts): happy paths and each error status in
 * Fleet's body shape, with nothing written on a refused request.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ApiHarness } from './harness.js';

const V1 = '/api/v1/fleet';
const LATEST = '/api/latest/fleet';
const unique = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

export function queryRouteSuite(open: () => Promise<ApiHarness>): void {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await open();
  });
  afterAll(async () => {
    await h?.close();
  });

  const create = async (fields: Record<string, unknown> = {}) => {
    const res = await h.call('POST', `${V1}/queries`, { name: unique('q'), query: 'SELECT * FROM osquery_info;', ...fields });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.query as Record<string, any>;
  };
  const team = async () => (await h.store.createTeam(unique('team'))).id;
  const fleetError = (status: number, reason: string | RegExp) => ({
    message: { 400: 'Bad request', 404: 'Resource Not Found', 409: 'Resource Already Exists' }[status as 400 | 404 | 409],
    errors: [expect.objectContaining({ name: expect.any(String), reason: typeof reason === 'string' ? reason : expect.stringMatching(reason) })],
  });

  it('creates a query with Fleet defaults and answers it in Fleet\'s shape; GET by id on v1 and latest', async () => {
    const name = unique('usb');
    const res = await h.call('POST', `${V1}/queries`, { name, query: 'SELECT * FROM usb_devices;' });
    expect(res.status).toBe(200);
    expect(res.body.query).toEqual({
      created_at: expect.stringMatching(/Z$/), updated_at: expect.stringMatching(/Z$/), id: expect.any(Number), team_id: null,
      interval: 0, platform: '', min_osquery_version: '', automations_enabled: false, logging: 'snapshot', name, description: '',
      query: 'SELECT * FROM usb_devices;', saved: true, observer_can_run: false, author_id: null, author_name: '', author_email: '',
      packs: [], stats: { system_time_p50: null, system_time_p95: null, user_time_p50: null, user_time_p95: null, total_executions: null },
      discard_data: false,
    });
    for (const base of [V1, LATEST]) {
      const got = await h.call('GET', `${base}/queries/${res.body.query.id}`);
      expect(got.status).toBe(200);
      expect(got.body).toEqual({ query: res.body.query });
    }
  });

  it('creates a team query with every field; lists per scope with merge_inherited, platform filter and paging', async () => {
    const teamId = await team();
    const teamQuery = await create({
      team_id: teamId, interval: 600, platform: 'darwin', min_osquery_version: '5.4.0', automations_enabled: true,
      logging: 'differential', discard_data: true, observer_can_run: true, description: 'd',
    });
    expect(teamQuery).toMatchObject({ team_id: teamId, interval: 600, platform: 'darwin', logging: 'differential', discard_data: true, observer_can_run: true });
    const own = await h.call('GET', `${V1}/queries?team_id=${teamId}`);
    expect(own.body.queries.map((q: any) => q.id)).toEqual([teamQuery.id]);
    expect(own.body).toMatchObject({ count: 1, meta: { has_next_results: false, has_previous_results: false } });
    const global = await create({ platform: 'windows' });
    const merged = await h.call('GET', `${V1}/queries?team_id=${teamId}&merge_inherited=true&order_key=id`);
    expect(merged.body.queries.map((q: any) => q.id)).toContain(global.id);
    expect(merged.body.queries.map((q: any) => q.id)).toContain(teamQuery.id);
    const globalOnly = await h.call('GET', `${V1}/queries?order_key=id&order_direction=desc`);
    expect(globalOnly.body.queries.every((q: any) => q.team_id === null)).toBe(true);
    expect(globalOnly.body.queries[0].id).toBe(global.id);
    const macos = await h.call('GET', `${V1}/queries?team_id=${teamId}&merge_inherited=1&platform=macos`);
    expect(macos.body.queries.map((q: any) => q.id)).toContain(teamQuery.id);
    expect(macos.body.queries.map((q: any) => q.id)).not.toContain(global.id);
    const paged = await h.call('GET', `${V1}/queries?per_page=1&page=0&order_key=id`);
    expect(paged.body.queries).toHaveLength(1);
    expect(paged.body.meta).toEqual({ has_next_results: true, has_previous_results: false });
    const search = await h.call('GET', `${V1}/queries?query=${encodeURIComponent(global.name)}`);
    expect(search.body.queries.map((q: any) => q.id)).toEqual([global.id]);
  });

  it('refuses bad bodies with Fleet\'s 400 and writes nothing', async () => {
    const before = (await h.call('GET', `${V1}/queries`)).body.count;
    const cases: Array<[Record<string, unknown>, string | RegExp]> = [
      [{ name: '', query: 'SELECT 1' }, 'query payload verification: query name cannot be empty'],
      [{ name: 'x', query: ' ' }, "query payload verification: query's SQL query cannot be empty"],
      [{ name: 'x', query: 'DELETE FROM users' }, /query payload verification: query's SQL query is invalid: only read-only queries/],
      [{ name: 'x', query: 'SELECT 1', logging: 'verbose' }, /invalid logging value/],
      [{ name: 'x', query: 'SELECT 1', platform: 'macos' }, /query's platform must be a comma-separated list/],
      [{ name: 'x', query: 'SELECT 1', interval: -1 }, /invalid field "interval"/],
      [{ name: 'x', query: 'SELECT 1', interval: 1.5 }, /invalid field "interval"/],
      [{ name: 'x', query: 'SELECT 1', automations_enabled: 'yes' }, 'invalid field "automations_enabled": expected true or false'],
      [{ name: 7, query: 'SELECT 1' }, 'invalid field "name": expected a string'],
      [{ name: 'n'.repeat(256), query: 'SELECT 1' }, /query name is too long/],
    ];
    for (const [body, reason] of cases) {
      const res = await h.call('POST', `${V1}/queries`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body, JSON.stringify(body)).toEqual(fleetError(400, reason));
    }
    expect((await h.call('POST', `${V1}/queries`, '[1]')).status).toBe(400);
    expect((await h.call('GET', `${V1}/queries`)).body.count).toBe(before);
  });

  it('answers 409 for a duplicate name in the same scope, 404 for an unknown team, 401 without the token', async () => {
    const q = await create();
    const dup = await h.call('POST', `${V1}/queries`, { name: q.name, query: 'SELECT 2' });
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual(fleetError(409, `query "${q.name}" already exists`));
    const teamId = await team();
    expect((await h.call('POST', `${V1}/queries`, { name: q.name, query: 'SELECT 2', team_id: teamId })).status).toBe(200);
    const noTeam = await h.call('POST', `${V1}/queries`, { name: unique('q'), query: 'SELECT 2', team_id: 987654 });
    expect(noTeam.status).toBe(404);
    expect(noTeam.body).toEqual(fleetError(404, 'team 987654 was not found'));
    expect((await h.call('GET', `${V1}/queries?team_id=987654`)).status).toBe(404);
    expect((await h.call('GET', `${V1}/queries`, undefined, null)).status).toBe(401);
    expect((await h.call('GET', `${V1}/queries/999999`)).body).toEqual(fleetError(404, 'query 999999 was not found'));
    expect((await h.call('GET', `${V1}/queries/abc`)).status).toBe(400);
  });

  it('modifies only the given fields; a discarding edit clears the report; conflicts and unknown ids are refused', async () => {
    const q = await create({ interval: 60 });
    const host = (await h.store.enrollHost({ osqueryHostId: unique('h'), platform: 'ubuntu', hostname: 'h1', uuid: 'u', hardwareSerial: '', osVersion: '', osqueryVersion: '' }, unique('nk'), null, new Date())).host;
    await h.store.recordQueryResults([{ queryId: q.id, hostId: host.id, rows: [{ a: '1' }], fetchedAt: new Date() }], 1000);
    const res = await h.call('PATCH', `${V1}/queries/${q.id}`, { description: 'now', automations_enabled: true, logging: '' });
    expect(res.status).toBe(200);
    expect(res.body.query).toMatchObject({ id: q.id, name: q.name, description: 'now', automations_enabled: true, interval: 60, logging: 'snapshot' });
    expect(await h.store.countQueryResults(q.id)).toBe(1);
    expect((await h.call('PATCH', `${V1}/queries/${q.id}`, { query: 'SELECT 2' })).status).toBe(200);
    expect(await h.store.countQueryResults(q.id)).toBe(0);
    const other = await create();
    expect((await h.call('PATCH', `${V1}/queries/${q.id}`, { name: other.name })).status).toBe(409);
    expect((await h.call('PATCH', `${V1}/queries/${q.id}`, { query: 'DROP TABLE x' })).status).toBe(400);
    expect((await h.call('PATCH', `${V1}/queries/999999`, { description: 'x' })).status).toBe(404);
    expect((await h.call('GET', `${V1}/queries/${q.id}`)).body.query).toMatchObject({ name: q.name, query: 'SELECT 2' });
  });

  it('serves the stored report with host names, and report_clipped at the cap', async () => {
    const q = await create({ interval: 60 });
    const host = (await h.store.enrollHost({ osqueryHostId: unique('h'), platform: 'ubuntu', hostname: 'report-host', uuid: 'u', hardwareSerial: '', osVersion: '', osqueryVersion: '' }, unique('nk'), null, new Date())).host;
    const fetchedAt = new Date('2026-01-02T03:04:05.000Z');
    await h.store.recordQueryResults([{ queryId: q.id, hostId: host.id, rows: [{ a: '1' }, { a: '2' }], fetchedAt }], 1000);
    const res = await h.call('GET', `${V1}/queries/${q.id}/report`);
    expect(res.body).toEqual({
      query_id: q.id,
      results: [
        { host_id: host.id, host_name: 'report-host', last_fetched: '2026-01-02T03:04:05Z', columns: { a: '1' } },
        { host_id: host.id, host_name: 'report-host', last_fetched: '2026-01-02T03:04:05Z', columns: { a: '2' } },
      ],
      report_clipped: false,
    });
    expect((await h.call('GET', `${V1}/queries/999999/report`)).status).toBe(404);
    const one = await h.call('GET', `${V1}/hosts/${host.id}/queries/${q.id}`);
    expect(one.body).toEqual({
      query_id: q.id, host_id: host.id, host_name: 'report-host', last_fetched: '2026-01-02T03:04:05Z', report_clipped: false,
      results: [{ columns: { a: '1' } }, { columns: { a: '2' } }],
    });
    const other = (await h.store.enrollHost({ osqueryHostId: unique('h'), platform: 'ubuntu', hostname: 'quiet', uuid: 'u2', hardwareSerial: '', osVersion: '', osqueryVersion: '' }, unique('nk'), null, new Date())).host;
    expect((await h.call('GET', `${V1}/hosts/${other.id}/queries/${q.id}`)).body).toMatchObject({ last_fetched: null, results: [] });
    expect((await h.call('GET', `${V1}/hosts/999999/queries/${q.id}`)).status).toBe(404);
    expect((await h.call('GET', `${V1}/hosts/${host.id}/queries/999999`)).status).toBe(404);
  });

  it('deletes by name (team_id scope), by id and in batch (all or nothing)', async () => {
    const teamId = await team();
    const a = await create({ team_id: teamId });
    expect((await h.call('DELETE', `${V1}/queries/${encodeURIComponent(a.name)}`)).status).toBe(404); // not global
    expect((await h.call('DELETE', `${V1}/queries/${encodeURIComponent(a.name)}?team_id=${teamId}`)).body).toEqual({});
    expect((await h.call('GET', `${V1}/queries/${a.id}`)).status).toBe(404);
    const b = await create();
    expect((await h.call('DELETE', `${LATEST}/queries/id/${b.id}`)).status).toBe(200);
    expect((await h.call('DELETE', `${V1}/queries/id/${b.id}`)).status).toBe(404);
    const [c, d] = [await create(), await create()];
    const refused = await h.call('POST', `${V1}/queries/delete`, { ids: [c.id, 999999] });
    expect(refused.status).toBe(404);
    expect((await h.call('GET', `${V1}/queries/${c.id}`)).status).toBe(200);
    expect((await h.call('POST', `${V1}/queries/delete`, { ids: [c.id, d.id, c.id] })).body).toEqual({ deleted: 2 });
    expect((await h.call('POST', `${V1}/queries/delete`, { ids: ['x'] })).status).toBe(400);
  });

  it('POST /spec/queries upserts by (team, name), replacing every field; a bad spec applies nothing', async () => {
    const teamName = unique('spec-team');
    const teamId = (await h.store.createTeam(teamName)).id;
    const name = unique('spec');
    const res = await h.call('POST', `${V1}/spec/queries`, { specs: [
      { name, query: 'SELECT 1', interval: 60, automations_enabled: true },
      { name, query: 'SELECT 2', team: teamName, logging: 'differential' },
    ] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({});
    const global = await h.store.getQueryByName(null, name);
    expect(global).toMatchObject({ query: 'SELECT 1', interval: 60, automationsEnabled: true });
    expect(await h.store.getQueryByName(teamId, name)).toMatchObject({ query: 'SELECT 2', logging: 'differential' });
    await h.call('POST', `${V1}/spec/queries`, { specs: [{ name, query: 'SELECT 1' }] });
    expect(await h.store.getQueryByName(null, name)).toMatchObject({ id: global!.id, interval: 0, automationsEnabled: false });

    const other = unique('spec');
    const bad = await h.call('POST', `${V1}/spec/queries`, { specs: [
      { name: other, query: 'SELECT 1' },
      { name: unique('x'), query: 'SELECT 1', team: 'no such team' },
      { name: '', query: 'SELECT 1' },
      { name: other, query: 'SELECT 3' },
    ] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.reason)).toEqual([
      'team "no such team" does not exist',
      'query payload verification: query name cannot be empty',
      expect.stringMatching(/appears more than once for global queries/),
    ]);
    expect(await h.store.getQueryByName(null, other)).toBeUndefined();
    expect((await h.call('POST', `${V1}/spec/queries`, { specs: 'x' })).status).toBe(400);
  });

  it('POST /osqsim/spec applies policies and queries of a whole file in one step, or nothing with every problem', async () => {
    const policyName = unique('file-policy');
    const queryName = unique('file-query');
    const ok = await h.call('POST', '/api/v1/osqsim/spec', {
      policies: [{ name: policyName, query: 'SELECT 1;' }],
      queries: [{ name: queryName, query: 'SELECT 1;', interval: 300 }],
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toEqual({ labels: { created: 0, updated: 0 }, policies: { created: 1, updated: 0 }, queries: { created: 1, updated: 0 } });
    const again = await h.call('POST', '/api/latest/osqsim/spec', { policies: [{ name: policyName, query: 'SELECT 2;' }], queries: [] });
    expect(again.body).toEqual({ labels: { created: 0, updated: 0 }, policies: { created: 0, updated: 1 }, queries: { created: 0, updated: 0 } });

    const newPolicy = unique('file-policy');
    const bad = await h.call('POST', '/api/v1/osqsim/spec', {
      policies: [{ name: newPolicy, query: 'SELECT 1;' }, { name: unique('p'), query: 'DELETE FROM x' }],
      queries: [{ name: queryName, query: 'SELECT 9;' }, { name: unique('q'), query: 'SELECT 1', logging: 'nope' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('Bad request');
    expect(bad.body.errors.map((e: any) => e.name.split('.')[0])).toEqual(['policies', 'queries']);
    expect((await h.store.listPolicies(null)).some((p) => p.name === newPolicy)).toBe(false);
    expect(await h.store.getQueryByName(null, queryName)).toMatchObject({ query: 'SELECT 1;' });
    const unknownKind = await h.call('POST', '/api/v1/osqsim/spec', { teams: [] });
    expect(unknownKind.status).toBe(400);
    expect(unknownKind.body.errors[0].reason).toBe('unknown field "teams": expected labels, policies, queries');
    expect((await h.call('POST', '/api/v1/osqsim/spec', { policies: [] }, null)).status).toBe(401);
  });

  it('POST /osqsim/spec applies labels first in the same transaction; a file with a bad report leaves no label applied', async () => {
    const labelName = unique('file-label');
    const policyName = unique('file-scoped');
    const ok = await h.call('POST', '/api/v1/osqsim/spec', {
      labels: [{ name: labelName, query: 'SELECT 1 FROM os_version;', platform: 'darwin' }],
      policies: [{ name: policyName, query: 'SELECT 1;', labels_include_any: [labelName] }],
      queries: [],
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.labels).toEqual({ created: 1, updated: 0 });
    const label = (await h.store.getLabelByName(labelName))!;
    expect(label).toMatchObject({ membershipType: 'dynamic', platform: 'darwin' });
    expect((await h.store.listPolicies(null)).find((p) => p.name === policyName)!.labelsIncludeAny).toEqual([{ id: label.id, name: labelName }]);
    const again = await h.call('POST', '/api/v1/osqsim/spec', { labels: [{ name: labelName, query: 'SELECT 2;' }], policies: [], queries: [] });
    expect(again.body.labels).toEqual({ created: 0, updated: 1 });

    // A label, a policy scoped by it and an invalid report: nothing is applied, every problem listed.
    const newLabel = unique('file-label');
    const bad = await h.call('POST', '/api/v1/osqsim/spec', {
      labels: [{ name: newLabel, query: 'SELECT 1;' }],
      policies: [{ name: unique('p'), query: 'SELECT 1;', labels_include_any: [newLabel] }],
      queries: [{ name: unique('q'), query: 'DROP TABLE hosts' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.name.split('.')[0])).toEqual(['queries']);
    expect(await h.store.getLabelByName(newLabel)).toBeUndefined();
    // Bad labels are listed beside the other kinds' problems.
    const badLabels = await h.call('POST', '/api/v1/osqsim/spec', {
      labels: [{ name: unique('l'), query: 'DELETE FROM x' }, { name: 'All Hosts', query: 'select 1;' }],
      policies: [{ name: unique('p'), query: 'SELECT 1;', labels_include_any: ['no such label'] }],
    });
    expect(badLabels.status).toBe(400);
    expect(badLabels.body.errors.map((e: any) => e.name.split('.')[0])).toEqual(['labels', 'labels', 'policies']);
    expect((await h.call('POST', '/api/v1/osqsim/spec', { labels: 'x' })).status).toBe(400);
  });
}
