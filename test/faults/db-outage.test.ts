/**
 * Database outage (issue 16 item 1): `osqsim server` on MariaDB through a TCP fault proxy; the proxy
 * resets, drops or delays every database connection for 10 s mid-run while deterministic agents check
 * in. Afterwards every acknowledged result is in policy_membership (row by row), and a new host is
 * served in full within 5 s of the database's return. The 30 s version is bench/outage.ts.
 */
import { expect, it } from 'vitest';
import { runOutageExperiment } from '../../scenarios/faults/outage-experiment.js';
import { describeMysql } from '../helpers/mysql.js';

describeMysql('database outage through a TCP fault proxy (MariaDB)', (db) => {
  it('reset, drop and delay for 10 s each: nothing acknowledged is lost, full service within 5 s', async () => {
    const results = await runOutageExperiment({ mysqlUrl: db.url, modes: ['reset', 'drop', 'delay'], outageMs: 10_000, hosts: 40 });
    console.log(JSON.stringify(results, null, 1));
    for (const result of results) {
      const context = JSON.stringify(result);
      expect(result.lost, context).toBe(0);
      expect(result.compared_rows, context).toBeGreaterThanOrEqual(40 * 3);
      expect(result.recovery_ms, context).toBeLessThanOrEqual(5_000);
      // During the outage: a write whose host is known answers 200 even when its store write fails
      // (Fleet: logged, the host stays due); one whose host cannot be authenticated without the
      // database answers 503 (not acknowledged: the agent keeps its results). Never a 500.
      const writes = result.during['distributed/write'] ?? {};
      for (const outcome of Object.keys(writes)) expect(['200', '503', 'timeout'], context).toContain(outcome);
      expect(result.enroll_probes['200'] ?? 0, context).toBe(0);
      // Hosts the server knows keep checking in: their reads are served from the host cache even
      // after its TTL while the store is unreachable (server/osquery/host-cache.ts).
      const reads = result.during['distributed/read'] ?? {};
      expect(reads['503'] ?? 0, context).toBe(0);
      // After recovery everything answers 200.
      for (const outcomes of Object.values(result.after)) for (const outcome of Object.keys(outcomes)) expect(outcome, context).toBe('200');
    }
    // The store failures really happened (the experiment exercised the failure path).
    expect(results.find((r) => r.mode === 'reset')!.write_store_errors).toBeGreaterThan(0);
  }, 150_000);
});
