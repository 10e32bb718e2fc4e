/**
 * Crash (issue 16 item 2): `kill -9` of `osqsim server` on MariaDB during a write herd, then a
 * restart on the same database. Every result acknowledged before the kill is stored; hosts whose
 * writes were not acknowledged re-send them; the stored counts converge to the truth. The longer
 * version is bench/crash.ts.
 */
import { expect, it } from 'vitest';
import { runCrashExperiment } from '../../scenarios/faults/crash-experiment.js';
import { describeMysql } from '../helpers/mysql.js';

describeMysql('kill -9 of the server during a write herd (MariaDB)', (db) => {
  it('two kills: nothing acknowledged is lost, unacknowledged writes are re-sent, counts converge', async () => {
    const result = await runCrashExperiment({ mysqlUrl: db.url, hosts: 60, crashes: 2, herdMs: 3_000, downMs: 1_000 });
    console.log(JSON.stringify(result));
    const context = JSON.stringify(result);
    expect(result.compared_at_kill, context).toBeGreaterThan(0);
    expect(result.lost_at_kill, context).toBe(0);
    // Hosts whose write the kill cut off (how many depends on where the kill lands) kept their
    // results and sent them again: none is left holding any.
    expect(result.retained_at_end, context).toBe(0);
    expect(result.compared_at_end, context).toBe(60 * 2);
    expect(result.lost_at_end, context).toBe(0);
    expect(result.converged_ms, context).toBeGreaterThanOrEqual(0);
    expect(result.counts, context).toEqual(result.truth);
  }, 90_000);
});
