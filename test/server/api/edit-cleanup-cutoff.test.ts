/**
 * Issue 16 item 7 (policy-edit-under-load on MySQL, counts off by one): a host's answer to an edited
 * query, written while the edit request was still finishing (awaiting deletePolicyCounts), must
 * survive the edit's membership clean-up. The cut-off is the policy's queryChangedAt, stamped by the
 * update itself; a clock read after the awaits lay behind such answers and deleted them.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MembershipCleanupJob } from '../../../server/api/cleanup-job.js';
import { invalidateAfterEdit } from '../../../server/api/deps.js';
import type { ServerContext } from '../../../server/context.js';
import { ServerEvents } from '../../../server/events.js';
import { MetricsRegistry } from '../../../server/metrics.js';
import { DEFAULT_SERVER_OPTIONS } from '../../../server/options/schema.js';
import { createStore, MemoryStore } from '../../../server/store/index.js';
import type { Store } from '../../../server/store/store.js';
import { describeMysql } from '../../helpers/mysql.js';

function cutoffContract(open: () => Promise<Store>): void {
  let store: Store | undefined;
  let job: MembershipCleanupJob | undefined;
  afterEach(async () => {
    await job?.stop();
    job = undefined;
    await store?.close();
    store = undefined;
  });

  it('keeps an answer to the new query written while the edit request awaited deletePolicyCounts', async () => {
    const base = await open();
    store = base;
    const policy = await base.createPolicy({ teamId: null, name: 'edited', query: 'SELECT 1' });
    const hostIds: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { host } = await base.enrollHost(
        { osqueryHostId: `c${i}`, platform: 'darwin', hostname: `c${i}`, uuid: `cu${i}`, hardwareSerial: '', osVersion: '', osqueryVersion: '' },
        `cnk${i}`,
        null,
        new Date(),
      );
      hostIds.push(host.id);
    }
    // Every host answered the old query well before the edit.
    const before = new Date(Date.now() - 60_000);
    await base.recordPolicyResults(hostIds.map((hostId) => ({ hostId, reportedAt: before, results: [{ policyId: policy.id, passes: true }] })));

    const result = (await base.updatePolicy(policy.id, { query: 'SELECT 1 WHERE 0' }))!;
    const editedAt = result.policy.queryChangedAt!.getTime();
    // The server's clock while the edit request is still running; deletePolicyCounts takes 200 ms
    // (a loaded MySQL), during which host 0 reads the committed new query and answers it.
    let clock = editedAt;
    const answeredAt = new Date(editedAt + 50);
    let interleaved = false;
    const slow: Store = new Proxy(base, {
      get(target, key, receiver) {
        if (key === 'deletePolicyCounts') {
          return async (policyId: number) => {
            // Once: the clean-up's own deletePolicyCounts at its end comes through here too.
            if (interleaved) return target.deletePolicyCounts(policyId);
            interleaved = true;
            await target.recordPolicyResults([{ hostId: hostIds[0]!, reportedAt: answeredAt, results: [{ policyId: policy.id, passes: false }] }]);
            clock = editedAt + 200;
            return target.deletePolicyCounts(policyId);
          };
        }
        const value = Reflect.get(target, key, receiver) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const context: ServerContext = {
      options: DEFAULT_SERVER_OPTIONS,
      store: slow,
      log: pino({ level: 'silent' }),
      metrics: new MetricsRegistry(),
      events: new ServerEvents(),
      instanceId: 't',
      counts: { readCounts: (ids) => slow.readPolicyCounts(ids) },
      jobs: [],
      now: () => new Date(clock),
    };
    job = new MembershipCleanupJob(context, { batchSize: 2, pauseMs: 0 });
    await invalidateAfterEdit({ context, cleanup: job }, result, result.policy);
    const staleBefore = job.staleBefore(policy.id)?.getTime();
    job.start();
    await job.whenIdle();
    // The fresh answer stays; the old answers of the other hosts are gone.
    expect(await base.getMembership(policy.id, hostIds[0]!)).toBe(false);
    expect(await base.getMembership(policy.id, hostIds[1]!)).toBeUndefined();
    expect(await base.getMembership(policy.id, hostIds[2]!)).toBeUndefined();
    expect(job.rowsRemoved).toBe(2);
    // The host detail hides rows older than the same cut-off while the clean-up runs.
    expect(staleBefore).toBe(editedAt);
  });
}

describe('edit clean-up cut-off (memory store)', () => {
  cutoffContract(async () => new MemoryStore());
});

describeMysql('edit clean-up cut-off (MySQL store)', (db) => {
  cutoffContract(() => createStore(db.url));
});
