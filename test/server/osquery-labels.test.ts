/**
 * Label queries in the osquery API (Fleet's server/service/osquery.go): `fleet_label_query_<id>`
 * on the label gate, membership from the answers, and label-scoped policies in reads and writes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { describeMysql } from '../helpers/mysql.js';
import { BUILTIN_LABEL_NAMES, detailAnswers, memoryStores, mysqlStores, startTestServer, type StoreFactory, type TestServer } from './support.js';

const EMPTY_READ = '{"queries":{},"discovery":{}}';
const HOUR = 3_600_000;
const lq = (id: number): string => `fleet_label_query_${id}`;
const pq = (id: number): string => `fleet_policy_query_${id}`;

function suite(factory: StoreFactory): void {
  let running: TestServer[] = [];
  afterEach(async () => {
    for (const t of running) await t.close();
    running = [];
  });

  async function start(labelUpdateIntervalMs?: number): Promise<TestServer> {
    const t = await startTestServer(factory, {
      maxJitterPercent: 0,
      ...(labelUpdateIntervalMs === undefined ? {} : { labelUpdateIntervalMs }),
    });
    running.push(t);
    return t;
  }
  const queriesOf = async (t: TestServer, key: string) => ((await t.read(key)).json() as { queries: Record<string, string>; discovery: Record<string, string> });

  it('sends every built-in and matching dynamic label with discovery SELECT 1, never manual or other-platform labels', async () => {
    const t = await start();
    const mine = await t.store.createLabel({ name: 'ubuntu 22', query: "SELECT 1 FROM os_version WHERE version LIKE '22.%'", membershipType: 'dynamic', platform: 'ubuntu' });
    const other = await t.store.createLabel({ name: 'mac', query: 'SELECT 1', membershipType: 'dynamic', platform: 'darwin' });
    const manual = await t.store.createLabel({ name: 'hand', query: '', membershipType: 'manual' });
    const key = await t.enroll('u1');
    const read = await queriesOf(t, key);
    const labelNames = Object.keys(read.queries).filter((name) => name.startsWith('fleet_label_query_'));
    expect(labelNames).toEqual([...BUILTIN_LABEL_NAMES, lq(mine.id)]);
    expect(labelNames).not.toContain(lq(other.id));
    expect(labelNames).not.toContain(lq(manual.id));
    expect(read.queries[lq(mine.id)]).toBe("SELECT 1 FROM os_version WHERE version LIKE '22.%'");
    expect(read.discovery[lq(mine.id)]).toBe('SELECT 1');
  });

  it('stores membership from the answers (rows = member, none or an error = not), then waits label_update_interval', async () => {
    const t = await start(2 * HOUR);
    const key = await t.enroll('u1');
    await t.read(key);
    const written = await t.write(key, { ...detailAnswers('u1'), [lq(2)]: [{ 1: '1' }], [lq(5)]: [{ 1: '1' }] }, { [lq(5)]: 1 });
    expect(written.statusCode).toBe(200);
    const host = await t.host(key);
    // All Hosts (1) and Ubuntu Linux (3) from detailAnswers, macOS (2) as answered; MS Windows (5) errored.
    expect(await t.store.hostLabelIds(host.id)).toEqual([1, 2, 3]);
    expect(host.labelUpdatedAt?.toISOString()).toBe(t.now().toISOString());
    t.advance(HOUR + 1);
    // Details and policies (1 h) are due again, labels (2 h) are not.
    expect(Object.keys((await queriesOf(t, key)).queries).some((name) => name.startsWith('fleet_label_query_'))).toBe(false);
    await t.write(key, { ...Object.fromEntries(Object.entries(detailAnswers('u1')).filter(([name]) => !name.startsWith('fleet_label'))), fleet_no_policies_wildcard: [] });
    t.advance(HOUR);
    expect(Object.keys((await queriesOf(t, key)).queries)).toEqual(BUILTIN_LABEL_NAMES);
    await t.write(key, { [lq(1)]: [{ 1: '1' }], [lq(2)]: [] });
    expect(await t.store.hostLabelIds(host.id)).toEqual([1, 3]);
    expect((await t.host(key)).labelUpdatedAt?.toISOString()).toBe(t.now().toISOString());
    t.advance(1000);
    expect(Object.keys((await queriesOf(t, key)).queries).some((name) => name.startsWith('fleet_label_query_'))).toBe(false);
  });

  it('ignores an answer for an unknown or malformed label id (200, nothing stored)', async () => {
    const t = await start();
    const key = await t.enroll('u1');
    await t.read(key);
    const written = await t.write(key, { ...detailAnswers('u1'), [lq(987_654)]: [{ 1: '1' }], fleet_label_query_x: [{ 1: '1' }], fleet_label_query_0: [] });
    expect(written.statusCode).toBe(200);
    expect(await t.store.hostLabelIds((await t.host(key)).id)).toEqual([1, 3]);
    expect(await t.store.labelHostIds(987_654)).toEqual([]);
  });

  it('counts label queries sent and answers received in /metrics', async () => {
    const t = await start();
    const key = await t.enroll('u1');
    await t.read(key);
    await t.write(key, { ...detailAnswers('u1') }, { [lq(8)]: 1 });
    const metrics = (await t.server.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/osqsim_osquery_label_queries_sent_total 8/);
    expect(metrics).toMatch(/osqsim_osquery_label_results_total\{result="member"\} 2/);
    expect(metrics).toMatch(/osqsim_osquery_label_results_total\{result="not_member"\} 5/);
    expect(metrics).toMatch(/osqsim_osquery_label_results_total\{result="error"\} 1/);
  });

  it('a refetch opens the label gate', async () => {
    const t = await start();
    const key = await t.enroll('u1');
    await t.read(key);
    await t.write(key, { ...detailAnswers('u1'), fleet_no_policies_wildcard: [] });
    t.advance(1000);
    expect((await t.read(key)).body).toBe(EMPTY_READ);
    const host = await t.host(key);
    await t.store.setRefetchRequested(host.id, true);
    t.server.context.events.emit('hostChanged', host.id);
    expect(Object.keys((await queriesOf(t, key)).queries)).toEqual(expect.arrayContaining([...BUILTIN_LABEL_NAMES]));
  });

  describe('label-scoped policies', () => {
    async function scoped(t: TestServer) {
      const inc = await t.store.createLabel({ name: 'inc', query: '', membershipType: 'manual' });
      const exc = await t.store.createLabel({ name: 'exc', query: '', membershipType: 'manual' });
      const plain = await t.store.createPolicy({ teamId: null, name: 'plain', query: 'SELECT 1;' });
      const included = await t.store.createPolicy({ teamId: null, name: 'only inc', query: 'SELECT 2;', labelsIncludeAny: ['inc'] });
      const excluded = await t.store.createPolicy({ teamId: null, name: 'not exc', query: 'SELECT 3;', labelsExcludeAny: ['exc'] });
      t.server.context.events.emit('policiesChanged', [plain.id, included.id, excluded.id]);
      return { inc, exc, plain, included, excluded };
    }

    it('a policy goes to hosts in an include label and in no exclude label, by stored membership', async () => {
      const t = await start();
      const { inc, exc, plain, included, excluded } = await scoped(t);
      const a = await t.enroll('a');
      const b = await t.enroll('b');
      const c = await t.enroll('c');
      const [ha, hb, hc] = [await t.host(a), await t.host(b), await t.host(c)];
      await t.store.updateLabel(inc.id, { hostIds: [ha.id, hc.id] });
      await t.store.updateLabel(exc.id, { hostIds: [hc.id] });
      const policiesOf = async (key: string) => Object.keys((await queriesOf(t, key)).queries).filter((n) => n.startsWith('fleet_policy_query_'));
      expect(await policiesOf(a)).toEqual([pq(plain.id), pq(included.id), pq(excluded.id)]);
      expect(await policiesOf(b)).toEqual([pq(plain.id), pq(excluded.id)]);
      expect(await policiesOf(c)).toEqual([pq(plain.id), pq(included.id)]);
      void hb;
    });

    it('drops answers to label-scoped policies the host is outside of, and its old rows at the next run', async () => {
      const t = await start();
      const { inc, plain, included } = await scoped(t);
      const key = await t.enroll('a');
      const host = await t.host(key);
      await t.store.updateLabel(inc.id, { hostIds: [host.id] });
      await t.read(key);
      await t.write(key, { ...detailAnswers('a'), [pq(plain.id)]: [{ 1: '1' }], [pq(included.id)]: [] });
      expect(await t.store.getMembership(included.id, host.id)).toBe(false);
      // The host leaves the label: an answer it still sends is dropped, and the policy run deletes the old row.
      await t.store.updateLabel(inc.id, { hostIds: [] });
      t.advance(HOUR + 6 * 60_000);
      await t.read(key);
      await t.write(key, { [pq(plain.id)]: [{ 1: '1' }], [pq(included.id)]: [{ 1: '1' }] });
      expect(await t.store.getMembership(included.id, host.id)).toBeUndefined();
      expect(await t.store.getMembership(plain.id, host.id)).toBe(true);
    });

    it('a host whose only policies are out of its label scope gets the no-policies wildcard', async () => {
      const t = await start();
      const inc = await t.store.createLabel({ name: 'inc', query: '', membershipType: 'manual' });
      const p = await t.store.createPolicy({ teamId: null, name: 'only inc', query: 'SELECT 2;', labelsIncludeAny: ['inc'] });
      t.server.context.events.emit('policiesChanged', [p.id]);
      void inc;
      const key = await t.enroll('a');
      const queries = (await queriesOf(t, key)).queries;
      expect(queries['fleet_no_policies_wildcard']).toBe('SELECT 1');
      expect(queries[pq(p.id)]).toBeUndefined();
    });
  });
}

describe('label queries (memory)', () => suite(memoryStores));
describeMysql('label queries (MySQL)', () => suite(mysqlStores));
