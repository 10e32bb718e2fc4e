/** The edit clean-up job: small batches, events per batch, round robin, stats dropped at the end, stop drains. */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerContext } from '../../../server/context.js';
import { ServerEvents } from '../../../server/events.js';
import { MetricsRegistry } from '../../../server/metrics.js';
import { DEFAULT_SERVER_OPTIONS } from '../../../server/options/schema.js';
import { MemoryStore } from '../../../server/store/index.js';
import type { MembershipChange, Store } from '../../../server/store/store.js';
import { MembershipCleanupJob } from '../../../server/api/cleanup-job.js';

function contextFor(store: Store): ServerContext {
  return {
    options: DEFAULT_SERVER_OPTIONS,
    store,
    log: pino({ level: 'silent' }),
    metrics: new MetricsRegistry(),
    events: new ServerEvents(),
    instanceId: 't',
    counts: { readCounts: (ids) => store.readPolicyCounts(ids) },
    jobs: [],
    now: () => new Date(),
  };
}

async function seed(store: Store, hosts: number, platforms: string[]): Promise<{ policyA: number; policyB: number }> {
  const a = await store.createPolicy({ teamId: null, name: 'a', query: 'SELECT 1' });
  const b = await store.createPolicy({ teamId: null, name: 'b', query: 'SELECT 1' });
  const batch = [];
  for (let i = 0; i < hosts; i++) {
    const { host } = await store.enrollHost(
      { osqueryHostId: `h${i}`, platform: platforms[i % platforms.length]!, hostname: `h${i}`, uuid: `u${i}`, hardwareSerial: '', osVersion: '', osqueryVersion: '' },
      `nk${i}`,
      null,
      new Date(),
    );
    batch.push({ hostId: host.id, reportedAt: new Date(), results: [{ policyId: a.id, passes: true }, { policyId: b.id, passes: false }] });
  }
  await store.recordPolicyResults(batch);
  return { policyA: a.id, policyB: b.id };
}

describe('MembershipCleanupJob', () => {
  let job: MembershipCleanupJob | undefined;
  afterEach(async () => {
    await job?.stop();
    job = undefined;
  });

  it('clears a policy in batches, emitting one membershipChanged per batch, and drops its stats at the end', async () => {
    const store = new MemoryStore();
    const context = contextFor(store);
    const { policyA, policyB } = await seed(store, 95, ['darwin']);
    await store.upsertPolicyCounts([{ policyId: policyA, inheritedTeamId: null, passing: 95, failing: 0 }], new Date());
    const sizes: number[] = [];
    context.events.on('membershipChanged', (changes: readonly MembershipChange[]) => sizes.push(changes.length));
    job = new MembershipCleanupJob(context, { batchSize: 20, pauseMs: 0 });
    job.enqueue(policyA, { queryChanged: true, platforms: '' }, new Date());
    expect(job.pendingPolicies).toBe(1); // not started: waits
    job.start();
    await job.whenIdle();
    expect(sizes).toEqual([20, 20, 20, 20, 15]);
    expect(await store.getMembership(policyA, 1)).toBeUndefined();
    expect(await store.getMembership(policyB, 1)).toBe(false);
    expect(await store.readPolicyCounts([policyA])).toEqual([]);
    expect(job.rowsRemoved).toBe(95);
    expect(context.metrics.render()).toMatch(/osqsim_edit_cleanup_rows_total 95/);
    expect(context.metrics.render()).toMatch(/osqsim_edit_cleanup_pending_policies 0/);
  });

  it('round-robins between edited policies and lets a query change win over a platform change', async () => {
    const store = new MemoryStore();
    const context = contextFor(store);
    const { policyA, policyB } = await seed(store, 40, ['darwin', 'ubuntu']);
    const order: number[] = [];
    context.events.on('membershipChanged', (changes: readonly MembershipChange[]) => order.push(changes[0]!.policyId));
    job = new MembershipCleanupJob(context, { batchSize: 10, pauseMs: 0 });
    job.enqueue(policyA, { queryChanged: false, platforms: 'darwin' }, new Date());
    job.enqueue(policyA, { queryChanged: true, platforms: 'darwin' }, new Date());
    job.enqueue(policyB, { queryChanged: false, platforms: 'darwin' }, new Date());
    expect(job.staleBefore(policyA)).toBeInstanceOf(Date);
    expect(job.staleBefore(policyB)).toBeUndefined();
    job.start();
    await job.whenIdle();
    expect(order.slice(0, 4)).toEqual([policyA, policyB, policyA, policyB]);
    expect(await store.getMembership(policyA, 1)).toBeUndefined(); // query change: every row
    expect(await store.getMembership(policyB, 1)).toBe(false); // host 1 is darwin: kept
    expect(await store.getMembership(policyB, 2)).toBeUndefined(); // host 2 is ubuntu: removed
    expect(job.staleBefore(policyA)).toBeUndefined();
  });

  it('keeps answers hosts sent after the edit (only rows written up to the edit time go)', async () => {
    const store = new MemoryStore();
    const context = contextFor(store);
    const { policyA, policyB } = await seed(store, 30, ['darwin', 'ubuntu']);
    const editedAt = new Date(Date.now() + 60_000);
    const fresh = new Date(editedAt.getTime() + 5);
    // Hosts 1–5 answer the edited policy after the edit, before the clean-up starts.
    await store.recordPolicyResults([1, 2, 3, 4, 5].map((hostId) => ({ hostId, reportedAt: fresh, results: [{ policyId: policyA, passes: false }] })));
    // Host 6 wrote in the edit's own millisecond: stale.
    await store.recordPolicyResults([{ hostId: 6, reportedAt: editedAt, results: [{ policyId: policyA, passes: false }] }]);
    job = new MembershipCleanupJob(context, { batchSize: 4, pauseMs: 0 });
    job.enqueue(policyA, { queryChanged: true, platforms: '' }, editedAt);
    job.start();
    await job.whenIdle();
    expect(job.rowsRemoved).toBe(25);
    for (const hostId of [1, 2, 3, 4, 5]) expect(await store.getMembership(policyA, hostId)).toBe(false);
    expect(await store.getMembership(policyA, 6)).toBeUndefined();
    expect(await store.getMembership(policyA, 7)).toBeUndefined();
    expect(await store.getMembership(policyB, 7)).toBe(false);
  });

  it('pause() holds the clean-up between batches until resume()', async () => {
    const store = new MemoryStore();
    const context = contextFor(store);
    const { policyA } = await seed(store, 30, ['darwin']);
    job = new MembershipCleanupJob(context, { batchSize: 10, pauseMs: 0 });
    job.start();
    job.pause();
    job.enqueue(policyA, { queryChanged: true, platforms: '' }, new Date());
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(job.rowsRemoved).toBeLessThanOrEqual(10);
    const held = job.rowsRemoved;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(job.rowsRemoved).toBe(held);
    job.resume();
    await job.whenIdle();
    expect(job.rowsRemoved).toBe(30);
  });

  it('retries after a store failure and stop() drains pending work', async () => {
    const store = new MemoryStore();
    const context = contextFor(store);
    const { policyA } = await seed(store, 5, ['darwin']);
    let failures = 1;
    const original = store.clearPolicyMembershipBatch.bind(store);
    store.clearPolicyMembershipBatch = async (...args) => {
      if (failures-- > 0) throw new Error('boom');
      return original(...args);
    };
    job = new MembershipCleanupJob(context, { batchSize: 10, pauseMs: 0 });
    job.start();
    job.enqueue(policyA, { queryChanged: true, platforms: '' }, new Date());
    await job.stop();
    expect(await store.getMembership(policyA, 1)).toBeUndefined();
    expect(job.pendingPolicies).toBe(0);
  });
});
