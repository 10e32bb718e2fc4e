/**
 * After a policy's query or platforms change. Fleet (server/service/team_policies.go modifyPolicy,
 * server/service/osquery.go policyQueriesForHost): the policy's results and stats are deleted and
 * hosts re-run it at their normal policy interval; nothing moves a host's policy timer. The what-if
 * `--edited-policies immediate` sends the edited policy alone at each in-scope host's next read,
 * once, and that answer never moves the host's policy timer either.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EditedPoliciesMode } from '../../contract/vocabulary.js';
import { cleanupJobOf } from '../../server/api/index.js';
import { describeMysql } from '../helpers/mysql.js';
import { detailAnswers, memoryStores, mysqlStores, startTestServer, type StoreFactory, type TestServer } from './support.js';

const TOKEN = 'edit-due-token';
const EMPTY_READ = '{"queries":{},"discovery":{}}';
const q = (id: number): string => `fleet_policy_query_${id}`;
/** Past the policy gate of any host: the 1 h interval plus the largest jitter (5 min). */
const PAST_POLICY_GATE_MS = 3_600_000 + 6 * 60_000;

function suite(factory: StoreFactory): void {
  let running: TestServer[] = [];
  afterEach(async () => {
    for (const t of running) await t.close();
    running = [];
  });

  async function start(editedPolicies?: EditedPoliciesMode): Promise<TestServer> {
    const t = await startTestServer(factory, { apiToken: TOKEN, ...(editedPolicies ? { editedPolicies } : {}) });
    running.push(t);
    // The store stamps edits with the real clock: run the server's clock a minute behind it, so
    // the writes below happen before the edit.
    t.advance(Date.now() - 60_000 - t.now().getTime());
    return t;
  }

  async function patch(t: TestServer, id: number, body: unknown): Promise<number> {
    const response = await t.server.app.inject({
      method: 'PATCH',
      url: `/api/v1/fleet/global/policies/${id}`,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
    return response.statusCode;
  }

  const queriesOf = async (t: TestServer, key: string): Promise<Record<string, string>> =>
    ((await t.read(key)).json() as { queries: Record<string, string> }).queries;

  /** Three global policies; two hosts that ran them all (passing); returns the ids, keys and run time. */
  async function ranPolicies(t: TestServer): Promise<{ ids: number[]; keys: string[]; ranAt: Date }> {
    const ids: number[] = [];
    for (const name of ['a', 'b', 'c']) ids.push((await t.store.createPolicy({ teamId: null, name, query: `SELECT '${name}';` })).id);
    t.server.context.events.emit('policiesChanged', ids);
    const keys = [await t.enroll('edit-1'), await t.enroll('edit-2')];
    for (const [index, key] of keys.entries()) {
      expect(Object.keys(await queriesOf(t, key))).toEqual(expect.arrayContaining(ids.map(q)));
      const answered = await t.write(key, { ...detailAnswers(`edit-${index + 1}`), ...Object.fromEntries(ids.map((id) => [q(id), [{ 1: '1' }]])) });
      expect(answered.statusCode).toBe(200);
    }
    const ranAt = t.now();
    t.advance(10_000);
    for (const key of keys) expect((await t.read(key)).body).toBe(EMPTY_READ);
    return { ids, keys, ranAt };
  }

  it('fleet (default): an edit deletes the results, and hosts re-run the policy at their normal policy interval', async () => {
    const t = await start();
    const { ids, keys, ranAt } = await ranPolicies(t);
    const [key] = keys as [string, string];
    const hostId = (await t.host(key)).id;

    // A description-only edit changes nothing for hosts.
    expect(await patch(t, ids[0]!, { description: 'just words' })).toBe(200);
    expect(await patch(t, ids[1]!, { query: "SELECT 'b2';" })).toBe(200);
    // The test server does not listen, so its background jobs are not running: run the clean-up.
    const cleanup = cleanupJobOf(t.server.context)!;
    cleanup.start();
    await cleanup.whenIdle();
    // The edited policy's results are gone; the others stay.
    expect(await t.store.getMembership(ids[1]!, hostId)).toBeUndefined();
    expect(await t.store.getMembership(ids[0]!, hostId)).toBe(true);
    expect(await t.store.getMembership(ids[2]!, hostId)).toBe(true);
    // No host is sent anything, and no host's policy timer moved.
    t.advance(Math.max(1_000, Date.now() - t.now().getTime() + 1_000));
    for (const k of keys) {
      expect((await t.read(k)).body).toBe(EMPTY_READ);
      expect((await t.host(k)).policyUpdatedAt).toEqual(ranAt);
    }

    // At its normal policy run the host gets every policy, the edited one with its new query.
    t.advance(PAST_POLICY_GATE_MS);
    const queries = await queriesOf(t, key);
    expect(queries).toMatchObject({ [q(ids[0]!)]: "SELECT 'a';", [q(ids[1]!)]: "SELECT 'b2';", [q(ids[2]!)]: "SELECT 'c';" });
    expect((await t.write(key, Object.fromEntries(ids.map((id) => [q(id), []])))).statusCode).toBe(200);
    expect(await t.store.getMembership(ids[1]!, hostId)).toBe(false);
    expect((await t.host(key)).policyUpdatedAt).toEqual(t.now());
  });

  it('immediate (what-if): the edited query is sent alone at the next read, once, and its answer never moves the policy timer', async () => {
    const t = await start('immediate');
    const { ids, keys, ranAt } = await ranPolicies(t);
    const [key, other] = keys as [string, string];
    const hostId = (await t.host(key)).id;

    expect(await patch(t, ids[0]!, { description: 'just words' })).toBe(200);
    expect((await t.read(key)).body).toBe(EMPTY_READ);

    expect(await patch(t, ids[1]!, { query: "SELECT 'b2';" })).toBe(200);
    const read = (await t.read(key)).json() as { queries: Record<string, string>; discovery: Record<string, string> };
    expect(read.queries).toEqual({ [q(ids[1]!)]: "SELECT 'b2';" });
    expect(Object.keys(read.discovery)).toEqual([q(ids[1]!)]);
    // Another host in scope is due it too.
    expect(await queriesOf(t, other)).toEqual({ [q(ids[1]!)]: "SELECT 'b2';" });

    t.advance(Math.max(1_000, Date.now() - t.now().getTime() + 1_000));
    expect((await t.write(key, { [q(ids[1]!)]: [] })).statusCode).toBe(200);
    expect(await t.store.getMembership(ids[1]!, hostId)).toBe(false);
    // Not a policy run: the timer stays, and the rows of the policies it did not answer stay.
    expect((await t.host(key)).policyUpdatedAt).toEqual(ranAt);
    expect(await t.store.getMembership(ids[0]!, hostId)).toBe(true);
    expect(await t.store.getMembership(ids[2]!, hostId)).toBe(true);
    expect((await t.read(key)).body).toBe(EMPTY_READ);
    // The other host has not answered yet: still due.
    expect(Object.keys(await queriesOf(t, other))).toEqual([q(ids[1]!)]);

    // A restarted server instance (an empty cache) learns from the stored rows that the edit was answered.
    t.server.context.events.emit('hostChanged', hostId);
    expect((await t.read(key)).body).toBe(EMPTY_READ);

    // The normal policy run comes at the old phase (last run + interval + jitter), not edit + interval.
    t.advance(ranAt.getTime() + PAST_POLICY_GATE_MS - t.now().getTime());
    expect(Object.keys(await queriesOf(t, key))).toEqual(expect.arrayContaining(ids.map(q)));
  });
}

describe('edited policies (memory)', () => suite(memoryStores));
describeMysql('edited policies (MySQL)', () => suite(mysqlStores));
