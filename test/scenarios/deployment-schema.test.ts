/**
 * The scenario keys of a multi-instance run: server.instances, server.load_balancer and
 * simulator.processes — defaults, the rules across sections (a shared MySQL store, no per-instance
 * events), and that `osqsim simulate` (a shard) reads the same file without the run's --store.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseScenarioText, type ReadResult } from '../../scenarios/read.js';
import { shardArgs } from '../../scenarios/harness/shard-processes.js';

const MYSQL = 'mysql://root@127.0.0.1:3306/osqsim';

function base(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'multi', hosts: 100, duration: '1m', fleet: { groups: [{ name: 'mac', count: 100, platform: 'darwin', os_version: '14.4.1' }] }, ...extra };
}
const read = (doc: unknown, steadyState = false): ReadResult => parseScenarioText(stringify(doc), join(import.meta.dirname, 'scenario.yaml'), steadyState ? { steadyState } : {});
const issues = (doc: unknown): string[] => {
  const result = read(doc);
  return result.ok ? [] : result.issues.map((i) => `${i.path} ${i.message}`);
};

describe('server.instances, server.load_balancer, simulator.processes', () => {
  it('defaults: one instance, no load balancer, one simulator process; several instances default to HAProxy', () => {
    const one = read(base());
    expect(one.ok && one.scenario.server).toMatchObject({ instances: 1, load_balancer: 'none' });
    expect(one.ok && one.scenario.simulator).toEqual({ processes: 1, connections: 'elastic' });
    const three = read(base({ server: { store: MYSQL, instances: 3 }, simulator: { processes: 2 } }));
    expect(three.ok && three.scenario.server).toMatchObject({ instances: 3, load_balancer: 'haproxy' });
    expect(three.ok && three.scenario.simulator).toEqual({ processes: 2, connections: 'elastic' });
    const none = read(base({ server: { store: MYSQL, instances: 2, load_balancer: 'none' } }));
    expect(none.ok && none.scenario.server!.load_balancer).toBe('none');
    // One instance behind HAProxy: what the load balancer costs.
    const behind = read(base({ server: { load_balancer: 'haproxy' } }));
    expect(behind.ok && behind.scenario.server).toMatchObject({ instances: 1, load_balancer: 'haproxy' });
  });

  it('several instances on the memory store are refused with what to do', () => {
    expect(issues(base({ server: { instances: 3 } }))).toEqual([
      'server.instances is 3, but the memory store lives inside one server process: give server.store a mysql:// URL (or --store) so the instances share it, or use 1 instance',
    ]);
  });

  it('refuses bad values and what one process cannot do across several', () => {
    expect(issues(base({ server: { store: MYSQL, instances: 0 } }))[0]).toMatch(/^server\.instances /);
    expect(issues(base({ server: { store: MYSQL, instances: 2, load_balancer: 'nginx' } }))[0]).toMatch(/^server\.load_balancer must be one of haproxy, none/);
    expect(issues(base({ simulator: { processes: 0 } }))[0]).toMatch(/^simulator\.processes /);
    expect(issues(base({ simulator: { proceses: 2 } }))[0]).toMatch(/^simulator\.proceses unknown key.*processes/);
    expect(issues(base({ server: { store: MYSQL, instances: 2, tls: 'self-signed' } }))).toContain('server.tls must be off with several instances (each instance would create its own CA; terminate TLS at the load balancer outside osqsim)');
    expect(issues(base({ server: { store: MYSQL, instances: 2 }, timeline: [{ at: '10s', restart_server: { down_for: '2s' } }] }))[0]).toMatch(/^timeline\[0\]\.restart_server acts on one server process/);
    expect(issues(base({ simulator: { processes: 2 }, timeline: [{ at: '10s', ramp_hosts: { to: 50, over: '5s' } }] }))[0]).toMatch(/^timeline\[0\]\.ramp_hosts .*simulator\.processes: 2/);
  });

  it('a shard (osqsim simulate, steady state) reads the file without the run\'s --store', () => {
    expect(read(base({ server: { instances: 3 } }), true).ok).toBe(true);
  });

  it('shard processes get the validated run as overrides, one shared --start-at and their own shard', () => {
    const args = shardArgs({ scenarioFile: 's.yaml', hosts: 300, durationMs: 25_000, warmupMs: 5000, seed: 7, enrollSecret: 'sec', targets: ['http://127.0.0.1:9000'], processes: 2, startAtMs: Date.parse('2026-12-05T12:00:00Z'), workersPerProcess: 1 }, 1, '/tmp/out.json');
    expect(args.join(' ')).toBe('simulate --target http://127.0.0.1:9000 --scenario s.yaml --hosts 300 --duration 25000ms --warmup 5000ms --seed 7 --enroll-secret sec --shard 1/2 --start-at 2026-12-05T12:00:00.000Z --workers 1 --out /tmp/out.json');
    expect(shardArgs({ scenarioFile: 's.yaml', hosts: 1, durationMs: 1000, warmupMs: 0, seed: 1, enrollSecret: 's', targets: ['https://127.0.0.1:9000'], processes: 2, startAtMs: 0, caFile: '/tmp/tls/ca.pem' }, 0, 'o.json')).toContain('/tmp/tls/ca.pem');
  });
});
