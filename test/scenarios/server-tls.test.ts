import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../scenarios/read.js';

const FLEET = 'fleet: { groups: [ { name: a, count: 1, platform: darwin, os_version: "14" } ] }\n';

describe('server.tls in a scenario', () => {
  it('is off (plain HTTP) unless the scenario says self-signed', () => {
    const plain = parseScenarioText(`hosts: 1\n${FLEET}`, 'plain.yaml');
    const tls = parseScenarioText(`hosts: 1\nserver: { tls: self-signed }\n${FLEET}`, 'tls.yaml');
    expect(plain.ok && plain.scenario.server?.tls).toBe('off');
    expect(tls.ok && tls.scenario.server?.tls).toBe('self-signed');
  });

  it('rejects another value, naming the path', () => {
    const bad = parseScenarioText(`hosts: 1\nserver: { tls: yes-please }\n${FLEET}`, 'bad.yaml');
    expect(bad.ok).toBe(false);
    expect(JSON.stringify(!bad.ok && bad.issues)).toContain('server.tls');
  });

  it('osqsim run --tls turns it on', () => {
    const overridden = parseScenarioText(`hosts: 1\n${FLEET}`, 'plain.yaml', { overrides: { tls: true } });
    expect(overridden.ok && overridden.scenario.server?.tls).toBe('self-signed');
  });
});
