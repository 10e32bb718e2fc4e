/**
 * Issue 3 §4: after a policy's query or platforms change, the next read of each host in scope is
 * due that policy (only that one when the host is not due for policies), once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { describeMysql } from '../helpers/mysql.js';
import { detailAnswers, memoryStores, mysqlStores, startTestServer, type StoreFactory, type TestServer } from './support.js';

const TOKEN = 'edit-due-token';
const EMPTY_READ = '{"queries":{},"discovery":{}}';
const q = (id: number): string => `fleet_policy_query_${id}`;

function suite(factory: StoreFactory): void {
  let running: TestServer[] = [];
  afterEach(async () => {
    for (const t of running) await t.close();
    running = [];
  });

  async function start(): Promise<TestServer> {
    const t = await startTestServer(factory, { apiToken: TOKEN });
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

  it('an edited query is sent alone at the next read of a host that is not due, and once only', async () => {
    const t = await start();
    const ids: number[] = [];
    for (const name of ['a', 'b', 'c']) ids.push((await t.store.createPolicy({ teamId: null, name, query: `SELECT '${name}';` })).id);
    t.server.context.events.emit('policiesChanged', ids);
    const key = await t.enroll('edit-1');
    const other = await t.enroll('edit-2');
    for (const k of [key, other]) {
      expect(Object.keys(await queriesOf(t, k))).toEqual(expect.arrayContaining(ids.map(q)));
      t.advance(1_000);
      const answered = await t.write(k, { ...detailAnswers(k === key ? 'edit-1' : 'edit-2'), ...Object.fromEntries(ids.map((id) => [q(id), [{ 1: '1' }]])) });
      expect(answered.statusCode).toBe(200);
    }
    t.advance(10_000);
    expect((await t.read(key)).body).toBe(EMPTY_READ);

    // A description-only edit changes nothing for hosts.
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
    expect(await t.store.getMembership(ids[1]!, (await t.host(key)).id)).toBe(false);
    expect((await t.read(key)).body).toBe(EMPTY_READ);
    // The other host has not answered yet: still due.
    expect(Object.keys(await queriesOf(t, other))).toEqual([q(ids[1]!)]);
  });
}

describe('edited policies are due at the next read (memory)', () => suite(memoryStores));
describeMysql('edited policies are due at the next read (MySQL)', () => suite(mysqlStores));
