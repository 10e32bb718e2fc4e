/** bench checkin and capacity sweep on the MySQL store (mandatory under CI=true). */
import { expect, it } from 'vitest';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMysql } from '../helpers/mysql.js';
import { runSweep } from '../../capacity/sweep.js';
import { runCheckinBench } from '../../capacity/checkin-bench.js';
import { optionsFromFlags } from '../../capacity/checkin-bench-command.js';
import { buildServer } from '../../server/app.js';

const tinyScenario = join(fileURLToPath(new URL('.', import.meta.url)), 'tiny-sweep.yaml');

describeMysql('bench checkin on MySQL', (db) => {
  it('bench checkin enrolls, primes and writes results through a MySQL-backed server', { timeout: 60_000 }, async () => {
    const server = await buildServer({ store: db.url, port: 0, logLevel: 'silent', enrollSecrets: [{ secret: 's' }] });
    try {
      await server.context.store.applyPolicySpecs([{ name: 'p1', query: 'SELECT 1;', teamId: null }]);
      const target = await server.listen();
      const doc = await runCheckinBench(
        optionsFromFlags({ target, enrollSecret: 's', hosts: '30', endpoint: 'write', connections: '4', duration: '1s', seed: '3', apiPrefix: '/api/osquery', timeout: '5s' }),
      );
      expect(doc.results.enroll.failures).toBe(0);
      expect(doc.results.requests.total).toBeGreaterThan(0);
      expect(doc.results.requests.non_2xx).toBe(0);
      expect(await server.context.store.countMembership()).toBe(30);
    } finally {
      await server.close();
    }
  });

});

describeMysql('capacity sweep on MySQL', (db) => {
  it('a tiny sweep runs against a MySQL store', { timeout: 120_000 }, async () => {
    const sweep = await runSweep({ scenarioFile: tinyScenario, from: 20, to: 20, steps: 1, until: [], warmupMs: 4000, measureMs: 4000, workers: 1, store: db.url, cpuProbe: false });
    expect(sweep.stopped.reason).toBe('completed');
    const [step] = sweep.steps;
    expect(step!.errors_rate).toBe(0);
    expect(step!.membership_rows).toBe(60);
    expect(step!.membership_rows_per_s).toBeGreaterThan(0);
    expect(sweep.store).toMatch(/^mysql:\/\//);
  });
});
