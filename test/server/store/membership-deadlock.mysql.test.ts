/**
 * Concurrent ingest batches of interleaved hosts never deadlock on policy_membership
 * (server/store/mysql/cell-keys.ts). Before stale cells were deleted by primary key, this load
 * gave ≈ 10 InnoDB deadlocks per 60 rounds with the Fleet-default path, and the delta path
 * (incremental counts) ran out of retries: a 503 on distributed/write.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStore } from '../../../server/store/index.js';
import { deadlockVictimCount } from '../../../server/store/mysql/tx.js';
import type { Store } from '../../../server/store/store.js';
import type { HostPolicyResults } from '../../../server/store/types.js';
import { describeMysql } from '../../helpers/mysql.js';

const HOSTS = 300;
const POLICIES = 70;
const PARALLEL_BATCHES = 4;
const HOSTS_PER_BATCH = 20;
const ROUNDS = 40;

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be re-run as it was. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describeMysql('MySQL membership ingest under concurrent batches', (db) => {
  let store: Store;
  const hostIds: number[] = [];
  const policyIds: number[] = [];

  beforeAll(async () => {
    store = await createStore(db.url, { poolSize: 8 });
    for (let i = 0; i < HOSTS; i++) {
      const identity = { osqueryHostId: `h${i}`, platform: 'ubuntu', hostname: `h${i}`, uuid: `u${i}`, hardwareSerial: `s${i}`, osVersion: '22.04', osqueryVersion: '5.12.1' };
      hostIds.push((await store.enrollHost(identity, `nk${i}`, null, new Date())).host.id);
    }
    for (let p = 0; p < POLICIES; p++) policyIds.push((await store.createPolicy({ teamId: null, name: `p${p}`, query: 'SELECT 1' })).id);
  }, 60_000);
  afterAll(async () => {
    await store?.close();
  });

  it('team moves beside ingest batches of interleaved hosts: no deadlock', async () => {
    const next = random(3);
    const teams = [(await store.createTeam('deadlock A')).id, (await store.createTeam('deadlock B')).id];
    const victimsBefore = deadlockVictimCount();
    let time = Date.now() + 20_000_000;
    for (let round = 0; round < ROUNDS; round++) {
      time += 1000;
      const chosen = [...hostIds].sort(() => next() - 0.5).slice(0, PARALLEL_BATCHES * HOSTS_PER_BATCH);
      const groups: number[][] = Array.from({ length: PARALLEL_BATCHES }, () => []);
      chosen.forEach((hostId, i) => groups[i % PARALLEL_BATCHES]!.push(hostId));
      const [moving, ...ingesting] = groups;
      await Promise.all([
        store.moveHostsToTeam(moving!, teams[round % 2]!),
        ...ingesting.map((batch) => store.recordPolicyResults(batch.map((hostId) => ({
          hostId, reportedAt: new Date(time), deleteUnanswered: true,
          results: policyIds.filter(() => next() < 0.9).map((policyId) => ({ policyId, passes: next() < 0.5 })),
        })), { trackChanges: true })),
      ]);
    }
    expect(deadlockVictimCount() - victimsBefore).toBe(0);
  }, 120_000);

  for (const trackChanges of [false, true]) {
    it(`${trackChanges ? 'tracking changes (incremental counts)' : "Fleet's default path"}: no deadlock, and each host keeps exactly its last run's answers`, async () => {
      const next = random(trackChanges ? 2 : 1);
      const lastRun = new Map<number, Map<number, boolean>>();
      const victimsBefore = deadlockVictimCount();
      let time = Date.now() + (trackChanges ? 10_000_000 : 0);
      for (let round = 0; round < ROUNDS; round++) {
        time += 1000;
        // Disjoint but interleaved host sets: the shape that met at the next host's first row.
        const shuffled = [...hostIds].sort(() => next() - 0.5).slice(0, PARALLEL_BATCHES * HOSTS_PER_BATCH);
        const batches: HostPolicyResults[][] = Array.from({ length: PARALLEL_BATCHES }, () => []);
        shuffled.forEach((hostId, i) => {
          // Each run answers about 90% of the policies: the rest of the host's cells become stale.
          const answers = new Map(policyIds.filter(() => next() < 0.9).map((policyId) => [policyId, next() < 0.5]));
          lastRun.set(hostId, answers);
          batches[i % PARALLEL_BATCHES]!.push({
            hostId, reportedAt: new Date(time), deleteUnanswered: true,
            results: [...answers].map(([policyId, passes]) => ({ policyId, passes })),
          });
        });
        await Promise.all(batches.map((batch) => store.recordPolicyResults(batch, { trackChanges })));
      }
      expect(deadlockVictimCount() - victimsBefore).toBe(0);
      for (const [hostId, answers] of lastRun) {
        const stored = await store.hostMembership(hostId);
        expect(new Map(stored.map((row) => [row.policyId, row.passes])), `host ${hostId}`).toEqual(answers);
      }
    }, 120_000);
  }
});
