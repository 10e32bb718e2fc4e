/**
 * The label routes and label-scoped policies over REST, on both stores: each route's happy path and
 * its bad input, in Fleet's shapes (server/service/labels.go); a refused request stores nothing.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_LABELS } from '../../../server/store/label-rules.js';
import type { Host } from '../../../server/store/store.js';
import { describeMysql } from '../../helpers/mysql.js';
import { startApi, type ApiHarness } from './harness.js';

const V1 = '/api/v1/fleet';
const LATEST = '/api/latest/fleet';
const unique = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

function labelRoutes(open: () => Promise<ApiHarness>): void {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await open();
  });
  afterAll(async () => {
    await h?.close();
  });

  async function enroll(platform = 'ubuntu'): Promise<Host> {
    const id = unique('host');
    return (
      await h.store.enrollHost(
        { osqueryHostId: id, platform, hostname: `${id}.local`, uuid: `uuid-${id}`, hardwareSerial: `sn-${id}`, osVersion: '', osqueryVersion: '5.12.1' },
        `nk-${id}`,
        null,
        new Date(),
      )
    ).host;
  }

  const expectFleetError = (res: { status: number; body: any }, status: number, name?: string, reason?: RegExp) => {
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(typeof res.body.message).toBe('string');
    expect(Array.isArray(res.body.errors) && res.body.errors.length > 0).toBe(true);
    if (name) expect(res.body.errors.map((e: { name: string }) => e.name)).toContain(name);
    if (reason) expect(res.body.errors.map((e: { reason: string }) => e.reason).join('\n')).toMatch(reason);
  };
  const labelCount = async () => (await h.store.listLabels()).length;

  describe('create, read, list', () => {
    it('creates a dynamic label and returns Fleet\'s label object; get, list and summary see it', async () => {
      const name = unique('Slack');
      const res = await h.call('POST', `${V1}/labels`, { name, query: "SELECT 1 FROM apps WHERE name = 'Slack.app'", platform: 'darwin', description: 'has Slack' });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const label = res.body.label;
      expect(label).toMatchObject({
        name,
        description: 'has Slack',
        query: "SELECT 1 FROM apps WHERE name = 'Slack.app'",
        platform: 'darwin',
        label_type: 'regular',
        label_membership_type: 'dynamic',
        host_count: 0,
        count: 0,
        display_text: name,
      });
      expect(label.created_at).toMatch(/Z$/);
      expect(label.host_ids).toBeUndefined();
      expect((await h.call('GET', `${LATEST}/labels/${label.id}`)).body.label).toEqual(label);
      const list = (await h.call('GET', `${V1}/labels`)).body.labels as Array<{ name: string; label_type: string }>;
      expect(list.filter((l) => l.label_type === 'builtin').map((l) => l.name)).toEqual(BUILTIN_LABELS.map((b) => b.name));
      expect(list.map((l) => l.name)).toContain(name);
      const searched = (await h.call('GET', `${V1}/labels?query=${encodeURIComponent(name.toLowerCase())}`)).body.labels;
      expect(searched.map((l: { id: number }) => l.id)).toEqual([label.id]);
      const paged = (await h.call('GET', `${V1}/labels?order_key=name&order_direction=desc&page=0&per_page=2`)).body.labels;
      expect(paged).toHaveLength(2);
      const summary = (await h.call('GET', `${V1}/labels/summary`)).body.labels;
      expect(summary.find((l: { id: number }) => l.id === label.id)).toEqual({ id: label.id, name, description: 'has Slack', label_type: 'regular', team_id: null });
    });

    it('refuses bad input with Fleet\'s statuses and stores nothing', async () => {
      const before = await labelCount();
      expectFleetError(await h.call('POST', `${V1}/labels`, { query: 'SELECT 1' }), 422, 'name', /missing required argument/);
      expectFleetError(await h.call('POST', `${V1}/labels`, { name: 'macOS', query: 'SELECT 1' }), 422, 'name', /conflicts with the name of a built-in label/);
      expectFleetError(await h.call('POST', `${V1}/labels`, { name: unique('x'), query: 'SELECT 1', host_ids: [1] }), 422, 'query', /Only one of/);
      expectFleetError(await h.call('POST', `${V1}/labels`, { name: unique('x'), query: 'DELETE FROM users' }), 422, 'query', /only read-only queries/);
      expectFleetError(await h.call('POST', `${V1}/labels`, { name: unique('x'), query: 'SELECT 1', platform: 'amiga' }), 422, 'platform', /invalid platform/);
      expectFleetError(await h.call('POST', `${V1}/labels`, { name: unique('x'), host_ids: [987_654] }), 422, 'host_ids', /does not exist/);
      expectFleetError(await h.call('POST', `${V1}/labels`, { name: unique('x'), hosts: ['no-such-host'] }), 422, 'hosts', /no host matches/);
      expectFleetError(await h.call('POST', `${V1}/labels`, { name: unique('x'), criteria: { vital: 'x' } }), 422, 'criteria');
      expectFleetError(await h.call('POST', `${V1}/labels`, { name: unique('x'), host_ids: 'all' }), 400, 'base', /host ids/);
      expectFleetError(await h.call('POST', `${V1}/labels`, { name: 7 }), 400, 'base', /expected a string/);
      expectFleetError(await h.call('POST', `${V1}/labels`, []), 400, 'base', /JSON object/);
      expect(await labelCount()).toBe(before);
      const name = unique('dup');
      expect((await h.call('POST', `${V1}/labels`, { name, query: 'SELECT 1' })).status).toBe(200);
      expectFleetError(await h.call('POST', `${V1}/labels`, { name: name.toUpperCase(), query: 'SELECT 2' }), 409);
      expect(await labelCount()).toBe(before + 1);
    });

    it('answers 404 for an unknown id, 400 for a bad one, 401 without the token', async () => {
      expectFleetError(await h.call('GET', `${V1}/labels/987654`), 404);
      expectFleetError(await h.call('GET', `${V1}/labels/abc`), 400);
      expectFleetError(await h.call('GET', `${V1}/labels`, undefined, null), 401);
    });
  });

  describe('manual labels and their hosts', () => {
    it('creates a manual label from host ids or identifiers, lists and replaces its hosts', async () => {
      const [a, b, c] = [await enroll(), await enroll('darwin'), await enroll()];
      const res = await h.call('POST', `${V1}/labels`, { name: unique('VIP'), host_ids: [b.id, a.id] });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.label).toMatchObject({ label_membership_type: 'manual', query: '', host_count: 2, host_ids: [a.id, b.id] });
      const id = res.body.label.id as number;
      const hosts = (await h.call('GET', `${V1}/labels/${id}/hosts`)).body.hosts as Array<{ id: number; hostname: string }>;
      expect(hosts.map((x) => x.id)).toEqual([a.id, b.id]);
      expect(hosts[0]!.hostname).toBe(a.hostname);
      const patched = await h.call('PATCH', `${V1}/labels/${id}`, { hosts: [c.hostname, c.uuid], description: 'now c' });
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      expect(patched.body.label).toMatchObject({ host_count: 1, host_ids: [c.id], description: 'now c' });
      expect((await h.call('PATCH', `${V1}/labels/${id}`, { host_ids: [] })).body.label.host_count).toBe(0);
      const byIdentifier = await h.call('POST', `${V1}/labels`, { name: unique('by-serial'), hosts: [a.hardwareSerial] });
      expect(byIdentifier.body.label.host_ids).toEqual([a.id]);
      // The host detail lists its labels (Fleet's HostDetail.labels).
      const detail = (await h.call('GET', `${V1}/hosts/${a.id}`)).body.host;
      expect(detail.labels.map((l: { id: number }) => l.id)).toEqual([byIdentifier.body.label.id]);
      expect(detail.labels[0]).toMatchObject({ label_membership_type: 'manual', host_count: 1 });
    });

    it('refuses to modify built-in labels, set hosts of dynamic ones or change a query', async () => {
      const builtin = (await h.store.getLabelByName('All Hosts'))!;
      expectFleetError(await h.call('PATCH', `${V1}/labels/${builtin.id}`, { name: 'Everything' }), 422, 'label_type', /cannot modify built-in label/);
      const dynamic = (await h.call('POST', `${V1}/labels`, { name: unique('dyn'), query: 'SELECT 1' })).body.label;
      expectFleetError(await h.call('PATCH', `${V1}/labels/${dynamic.id}`, { host_ids: [] }), 422, 'hosts', /dynamic label/);
      expectFleetError(await h.call('PATCH', `${V1}/labels/${dynamic.id}`, { query: 'SELECT 2' }), 422, 'query');
      expectFleetError(await h.call('PATCH', `${V1}/labels/${dynamic.id}`, { name: 'MS Windows' }), 422, 'name', /built-in/);
      expectFleetError(await h.call('PATCH', `${V1}/labels/${dynamic.id}`, { name: 'all hosts' }), 409); // not reserved as spelled (Fleet compares exactly); the name key is case-insensitive
      const other = (await h.call('POST', `${V1}/labels`, { name: unique('other'), query: 'SELECT 1' })).body.label;
      expectFleetError(await h.call('PATCH', `${V1}/labels/${dynamic.id}`, { name: other.name }), 409);
      expectFleetError(await h.call('PATCH', `${V1}/labels/987654`, { name: unique('x') }), 404);
      expect((await h.store.getLabel(dynamic.id))?.name).toBe(dynamic.name);
      const renamed = await h.call('PATCH', `${V1}/labels/${dynamic.id}`, { name: `${dynamic.name}-2` });
      expect(renamed.body.label.name).toBe(`${dynamic.name}-2`);
    });

    it('adds and removes manual labels of one host', async () => {
      const host = await enroll();
      const manual = (await h.call('POST', `${V1}/labels`, { name: unique('m') })).body.label;
      expect((await h.call('POST', `${V1}/hosts/${host.id}/labels`, { labels: [manual.name] })).status).toBe(200);
      expect(await h.store.labelHostIds(manual.id)).toEqual([host.id]);
      expect((await h.call('DELETE', `${V1}/hosts/${host.id}/labels`, { labels: [manual.name] })).status).toBe(200);
      expect(await h.store.labelHostIds(manual.id)).toEqual([]);
      expectFleetError(await h.call('POST', `${V1}/hosts/${host.id}/labels`, { labels: ['All Hosts'] }), 422, 'labels', /not a manual label/);
      expectFleetError(await h.call('POST', `${V1}/hosts/${host.id}/labels`, { labels: [manual.name, 'nope-nope'] }), 422, 'labels', /does not exist/);
      expect(await h.store.labelHostIds(manual.id)).toEqual([]);
      expectFleetError(await h.call('POST', `${V1}/hosts/987654/labels`, { labels: [manual.name] }), 404);
      expectFleetError(await h.call('POST', `${V1}/hosts/${host.id}/labels`, { labels: 'x' }), 400);
    });
  });

  describe('delete', () => {
    it('deletes by name and by id; built-ins and unknown labels are refused', async () => {
      const a = (await h.call('POST', `${V1}/labels`, { name: unique('del a'), query: 'SELECT 1' })).body.label;
      const b = (await h.call('POST', `${V1}/labels`, { name: unique('del-b'), query: 'SELECT 1' })).body.label;
      expect(await h.call('DELETE', `${V1}/labels/${encodeURIComponent(a.name)}`)).toEqual({ status: 200, body: {} });
      expect(await h.call('DELETE', `${LATEST}/labels/id/${b.id}`)).toEqual({ status: 200, body: {} });
      expect(await h.store.getLabel(a.id)).toBeUndefined();
      expect(await h.store.getLabel(b.id)).toBeUndefined();
      expectFleetError(await h.call('DELETE', `${V1}/labels/${a.name}`), 404);
      expectFleetError(await h.call('DELETE', `${V1}/labels/id/${b.id}`), 404);
      expectFleetError(await h.call('DELETE', `${V1}/labels/All%20Hosts`), 422, 'label_type', /cannot delete built-in label/);
      const builtin = (await h.store.getLabelByName('macOS'))!;
      expectFleetError(await h.call('DELETE', `${V1}/labels/id/${builtin.id}`), 422);
      expect(await h.store.getLabel(builtin.id)).toBeDefined();
    });
  });

  describe('spec/labels (fleetctl apply)', () => {
    it('applies specs by name, all or nothing, and reads them back', async () => {
      const host = await enroll();
      const [dyn, man] = [unique('spec-dyn'), unique('spec-man')];
      const bad = await h.call('POST', `${V1}/spec/labels`, {
        specs: [
          { name: dyn, query: 'SELECT 1' },
          { name: 'All Hosts', query: 'select 1;' },
          { name: unique('bad'), query: 'UPDATE x SET y = 1' },
          { name: unique('bad'), label_membership_type: 'host_vitals' },
        ],
      });
      expectFleetError(bad, 422);
      expect(bad.body.errors).toHaveLength(3);
      expect(await h.store.getLabelByName(dyn)).toBeUndefined();
      expectFleetError(await h.call('POST', `${V1}/spec/labels`, { specs: [{ name: man, label_membership_type: 'manual', hosts: ['ghost'] }] }), 422, undefined, /no host matches/);
      expectFleetError(await h.call('POST', `${V1}/spec/labels`, { specs: 'x' }), 400);
      const ok = await h.call('POST', `${V1}/spec/labels`, {
        specs: [
          { name: dyn, query: 'SELECT 1', platform: 'ubuntu' },
          { name: man, label_membership_type: 'manual', hosts: [host.hostname] },
        ],
      });
      expect(ok, JSON.stringify(ok.body)).toEqual({ status: 200, body: {} });
      expect(await h.store.getLabelByName(dyn)).toMatchObject({ platform: 'ubuntu', membershipType: 'dynamic' });
      const spec = (await h.call('GET', `${V1}/spec/labels/${man}`)).body.specs;
      expect(spec).toMatchObject({ name: man, label_membership_type: 'manual', hosts: [host.hostname] });
      const all = (await h.call('GET', `${V1}/spec/labels`)).body.specs as Array<{ name: string }>;
      expect(all.map((s) => s.name)).toEqual(expect.arrayContaining([dyn, man, 'All Hosts']));
      expectFleetError(await h.call('GET', `${V1}/spec/labels/no-such-label`), 404);
    });
  });

  describe('label-scoped policies', () => {
    it('create, read and modify labels_include_any / labels_exclude_any by name; unknown names are refused', async () => {
      const inc = (await h.call('POST', `${V1}/labels`, { name: unique('inc') })).body.label;
      const exc = (await h.call('POST', `${V1}/labels`, { name: unique('exc') })).body.label;
      const created = await h.call('POST', `${V1}/global/policies`, { name: unique('p'), query: 'SELECT 1;', labels_include_any: [inc.name] });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      expect(created.body.policy.labels_include_any).toEqual([{ id: inc.id, name: inc.name }]);
      expect(created.body.policy.labels_exclude_any).toBeUndefined();
      const id = created.body.policy.id as number;
      expect((await h.call('GET', `${V1}/global/policies/${id}`)).body.policy.labels_include_any).toEqual([{ id: inc.id, name: inc.name }]);
      const before = (await h.store.listPolicies(null)).length;
      expectFleetError(await h.call('POST', `${V1}/global/policies`, { name: unique('p'), query: 'SELECT 1;', labels_include_any: ['nope-nope'] }), 422, 'labels_include_any', /does not exist/);
      expectFleetError(await h.call('POST', `${V1}/global/policies`, { name: unique('p'), query: 'SELECT 1;', labels_exclude_any: 'x' }), 422, 'labels_exclude_any');
      expect((await h.store.listPolicies(null)).length).toBe(before);
      const patched = await h.call('PATCH', `${V1}/global/policies/${id}`, { labels_include_any: [], labels_exclude_any: [exc.name] });
      expect(patched.body.policy.labels_include_any).toBeUndefined();
      expect(patched.body.policy.labels_exclude_any).toEqual([{ id: exc.id, name: exc.name }]);
      expectFleetError(await h.call('PATCH', `${V1}/global/policies/${id}`, { labels_include_any: ['nope-nope'] }), 422);
      // A deleted label leaves the policy's scope.
      expect((await h.call('DELETE', `${V1}/labels/id/${exc.id}`)).status).toBe(200);
      expect((await h.call('GET', `${V1}/global/policies/${id}`)).body.policy.labels_exclude_any).toBeUndefined();
    });

    it('a new label scope removes the results of hosts outside it; spec/policies takes label lists too', async () => {
      const [inside, outside] = [await enroll(), await enroll()];
      const inc = (await h.call('POST', `${V1}/labels`, { name: unique('inc'), host_ids: [inside.id] })).body.label;
      const p = (await h.call('POST', `${V1}/global/policies`, { name: unique('p'), query: 'SELECT 1;' })).body.policy;
      await h.store.recordPolicyResults([inside, outside].map((x) => ({ hostId: x.id, results: [{ policyId: p.id, passes: false }], reportedAt: new Date() })));
      expect((await h.call('PATCH', `${V1}/global/policies/${p.id}`, { labels_include_any: [inc.name] })).status).toBe(200);
      expect(await h.store.getMembership(p.id, inside.id)).toBe(false);
      expect(await h.store.getMembership(p.id, outside.id)).toBeUndefined();
      const name = unique('spec-p');
      const spec = await h.call('POST', `${V1}/spec/policies`, { specs: [{ name, query: 'SELECT 1;', labels_exclude_any: [inc.name] }] });
      expect(spec.status, JSON.stringify(spec.body)).toBe(200);
      expect((await h.store.listPolicies(null)).find((x) => x.name === name)?.labelsExcludeAny).toEqual([{ id: inc.id, name: inc.name }]);
      expectFleetError(await h.call('POST', `${V1}/spec/policies`, { specs: [{ name: unique('q'), query: 'SELECT 1;', labels_include_any: ['nope-nope'] }] }), 400, undefined, /does not exist/);
      expectFleetError(await h.call('POST', `${V1}/spec/policies`, { specs: [{ name: unique('q'), query: 'SELECT 1;', labels_include_any: 'x' }] }), 400, undefined, /label names/);
    });
  });
}

describe('label routes (memory)', () => labelRoutes(() => startApi('memory')));
describeMysql('label routes (MySQL)', (db) => labelRoutes(() => startApi(db.url)));
