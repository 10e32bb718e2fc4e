/**
 * `--edited-policies immediate` when edits become visible out of stamp order (issue 16 item 7, race 2
 * of policy-edit-under-load on MySQL). An edit stamps queryChangedAt before its transaction commits,
 * so of two concurrent edits the one stamped earlier (B) can commit after the other (A) and after a
 * host's read. A host that answered A must still be asked B once B is visible: the clean-up deletes
 * its old B row, and a host never asked again stays missing from B's count until its next full
 * policy run. Visibility is controlled here by a store that serves B's pre-edit row to the scope
 * loads while B's edit "has not committed" — exactly what a MySQL reader sees during that window.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fleetPlatformOf } from '../../contract/platforms.js';
import { cleanupJobOf } from '../../server/api/index.js';
import { hostFeedOf } from '../../server/osquery/host-feed.js';
import { OsqueryService } from '../../server/osquery/service.js';
import type { Policy, Store } from '../../server/store/store.js';
import { describeMysql } from '../helpers/mysql.js';
import { detailAnswers, memoryStores, mysqlStores, startTestServer, type StoreFactory, type TestServer } from './support.js';

const TOKEN = 'edit-order-token';
const EMPTY_READ = '{"queries":{},"discovery":{}}';
const q = (id: number): string => `fleet_policy_query_${id}`;

/** A store whose policy scope loads see the `uncommitted` policies as they were before their edit. */
function withUncommittedEdits(factory: StoreFactory): { factory: StoreFactory; uncommitted: Map<number, Policy> } {
  const uncommitted = new Map<number, Policy>();
  const wrapped: StoreFactory = {
    kind: factory.kind,
    async create() {
      const created = await factory.create();
      const store = new Proxy(created.store, {
        get(target, key, receiver) {
          if (key === 'policiesForHost') {
            return async (teamId: number | null, platform: string) =>
              (await target.policiesForHost(teamId, platform)).map((policy) => uncommitted.get(policy.id) ?? policy);
          }
          const value = Reflect.get(target, key, receiver) as unknown;
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
      }) as Store;
      return { store, dispose: created.dispose };
    },
  };
  return { factory: wrapped, uncommitted };
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

function suite(base: StoreFactory): void {
  let running: TestServer[] = [];
  afterEach(async () => {
    for (const t of running) await t.close();
    running = [];
  });

  async function start(options: { hostCacheTtlMs?: number } = {}): Promise<{ t: TestServer; uncommitted: Map<number, Policy> }> {
    const { factory, uncommitted } = withUncommittedEdits(base);
    const created = await factory.create();
    const t = await startTestServer({ kind: base.kind, create: async () => created }, { apiToken: TOKEN, editedPolicies: 'immediate', ...options });
    running.push(t);
    // The store stamps edits with the real clock: the server's clock runs a minute behind it, so
    // the first policy run happens before the edits.
    t.advance(Date.now() - 60_000 - t.now().getTime());
    return { t, uncommitted };
  }

  async function patchQuery(t: TestServer, id: number, query: string): Promise<void> {
    const response = await t.server.app.inject({
      method: 'PATCH',
      url: `/api/v1/fleet/global/policies/${id}`,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ query }),
    });
    expect(response.statusCode).toBe(200);
  }

  const queriesOf = async (t: TestServer, key: string): Promise<Record<string, string>> =>
    ((await t.read(key)).json() as { queries: Record<string, string> }).queries;

  /** Policies A and B (and an unedited C); one host that ran them all, then is idle. */
  async function ranPolicies(t: TestServer): Promise<{ a: number; b: number; key: string; hostId: number }> {
    const ids: number[] = [];
    for (const name of ['a', 'b', 'c']) ids.push((await t.store.createPolicy({ teamId: null, name, query: `SELECT '${name}';` })).id);
    t.server.context.events.emit('policiesChanged', ids);
    const key = await t.enroll('order-1');
    expect(Object.keys(await queriesOf(t, key))).toEqual(expect.arrayContaining(ids.map(q)));
    expect((await t.write(key, { ...detailAnswers('order-1'), ...Object.fromEntries(ids.map((id) => [q(id), [{ 1: '1' }]])) })).statusCode).toBe(200);
    t.advance(10_000);
    expect((await t.read(key)).body).toBe(EMPTY_READ);
    return { a: ids[0]!, b: ids[1]!, key, hostId: (await t.host(key)).id };
  }

  /**
   * B's edit is stamped first but commits last: while it is open, A's edit (stamped later) commits
   * and the host reads. Returns once both edits are stored, B still invisible to scope loads.
   */
  async function editsOutOfOrder(t: TestServer, uncommitted: Map<number, Policy>, a: number, b: number): Promise<void> {
    uncommitted.set(b, (await t.store.getPolicy(b))!);
    await patchQuery(t, b, "SELECT 'b2';");
    await tick();
    await patchQuery(t, a, "SELECT 'a2';");
    const stampOf = async (id: number): Promise<number> => (await t.store.getPolicy(id))!.queryChangedAt!.getTime();
    expect(await stampOf(b)).toBeLessThan(await stampOf(a));
  }

  /** B's edit commits: its PATCH ends with policiesChanged, as the REST route emits it. */
  function commit(t: TestServer, uncommitted: Map<number, Policy>, b: number): void {
    uncommitted.delete(b);
    t.server.context.events.emit('policiesChanged', [b]);
  }

  /** The server's clock catches up with the store's (real) one, past the edit stamps. */
  const catchUp = (t: TestServer): void => t.advance(Math.max(1_000, Date.now() - t.now().getTime() + 1_000));

  it('asks for the earlier-stamped edit that became visible after the host answered the later one', async () => {
    const { t, uncommitted } = await start();
    const { a, b, key, hostId } = await ranPolicies(t);
    await editsOutOfOrder(t, uncommitted, a, b);

    expect(await queriesOf(t, key)).toEqual({ [q(a)]: "SELECT 'a2';" });
    catchUp(t);
    expect((await t.write(key, { [q(a)]: [] })).statusCode).toBe(200);
    expect((await t.read(key)).body).toBe(EMPTY_READ);

    commit(t, uncommitted, b);
    expect(await queriesOf(t, key)).toEqual({ [q(b)]: "SELECT 'b2';" });
    catchUp(t);
    expect((await t.write(key, { [q(b)]: [] })).statusCode).toBe(200);
    expect((await t.read(key)).body).toBe(EMPTY_READ);

    // The clean-up of both edits keeps both fresh answers.
    const cleanup = cleanupJobOf(t.server.context)!;
    cleanup.start();
    await cleanup.whenIdle();
    expect(await t.store.getMembership(a, hostId)).toBe(false);
    expect(await t.store.getMembership(b, hostId)).toBe(false);
  });

  it('asks for it too when the host was reloaded (stored rows) between the two', async () => {
    const { t, uncommitted } = await start();
    const { a, b, key, hostId } = await ranPolicies(t);
    await editsOutOfOrder(t, uncommitted, a, b);

    expect(await queriesOf(t, key)).toEqual({ [q(a)]: "SELECT 'a2';" });
    catchUp(t);
    expect((await t.write(key, { [q(a)]: [] })).statusCode).toBe(200);
    // Another instance, or an expired entry: what the host answered comes from its stored rows.
    t.server.context.events.emit('hostChanged', hostId);
    expect((await t.read(key)).body).toBe(EMPTY_READ);

    commit(t, uncommitted, b);
    expect(await queriesOf(t, key)).toEqual({ [q(b)]: "SELECT 'b2';" });
  });

  it('keeps the idle read synchronous: off it only while an edit is owed, and once per scope reload', async () => {
    // Entries that cannot expire during the test (the fast path needs a fresh host and scope).
    const { t, uncommitted } = await start({ hostCacheTtlMs: 600_000 });
    const { a, b, key, hostId } = await ranPolicies(t);
    const feed = hostFeedOf(t.server.context)!;
    // A host that answered every open edit holds the scope's shared list of edited policies, no copy.
    const holdsSharedList = (): void => expect(feed.hosts.peekById(hostId)!.editsAnswered).toBe(feed.scopes.fresh(null, fleetPlatformOf('ubuntu'))!.edited);
    const read = vi.spyOn(OsqueryService.prototype, 'read');
    try {
      await editsOutOfOrder(t, uncommitted, a, b);
      await t.read(key);
      catchUp(t);
      expect((await t.write(key, { [q(a)]: [] })).statusCode).toBe(200);
      expect((await t.read(key)).body).toBe(EMPTY_READ); // owes nothing: settled for this scope
      holdsSharedList();
      read.mockClear();
      expect((await t.read(key)).body).toBe(EMPTY_READ);
      expect(read).not.toHaveBeenCalled();

      commit(t, uncommitted, b); // a new scope: one async read finds B owed
      expect(Object.keys(await queriesOf(t, key))).toEqual([q(b)]);
      expect(read).toHaveBeenCalledTimes(1);
      expect((await t.write(key, { [q(b)]: [] })).statusCode).toBe(200);
      expect((await t.read(key)).body).toBe(EMPTY_READ);
      holdsSharedList();
      read.mockClear();
      expect((await t.read(key)).body).toBe(EMPTY_READ);
      expect(read).not.toHaveBeenCalled();
    } finally {
      read.mockRestore();
    }
  });

  it('sends nothing, not the wildcard (a policy run: it would delete the host\'s rows), for an edit whose label scope leaves the host out', async () => {
    const { t } = await start();
    const { a, key, hostId } = await ranPolicies(t);
    await t.store.createLabel({ name: 'inc', query: '', membershipType: 'manual' });
    const scoped = await t.store.createPolicy({ teamId: null, name: 'only inc', query: 'SELECT 2;', labelsIncludeAny: ['inc'] });
    t.server.context.events.emit('policiesChanged', [scoped.id]);
    expect((await t.read(key)).body).toBe(EMPTY_READ);
    await patchQuery(t, scoped.id, 'SELECT 3;');
    expect((await t.read(key)).body).toBe(EMPTY_READ);
    expect(await t.store.getMembership(a, hostId)).toBe(true);
  });

  it('asks again for a policy edited a second time between the read that sent it and the answer', async () => {
    const { t, uncommitted } = await start();
    const { b, key } = await ranPolicies(t);
    expect(uncommitted.size).toBe(0);

    await patchQuery(t, b, "SELECT 'b2';");
    expect(await queriesOf(t, key)).toEqual({ [q(b)]: "SELECT 'b2';" });
    await tick();
    await patchQuery(t, b, "SELECT 'b3';");
    // The answer is to b2, the query the host was sent.
    catchUp(t);
    expect((await t.write(key, { [q(b)]: [] })).statusCode).toBe(200);
    expect(await queriesOf(t, key)).toEqual({ [q(b)]: "SELECT 'b3';" });
    expect((await t.write(key, { [q(b)]: [] })).statusCode).toBe(200);
    expect((await t.read(key)).body).toBe(EMPTY_READ);
  });
}

describe('edited policies visible out of stamp order (memory)', () => suite(memoryStores));
describeMysql('edited policies visible out of stamp order (MySQL)', () => suite(mysqlStores));
