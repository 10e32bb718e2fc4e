import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadSweepScenario } from '../../capacity/sweep.js';

it('a capacity sweep refuses a TLS scenario with a clear reason (it measures over plain HTTP)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'osqsim-sweep-tls-'));
  const file = join(dir, 'tls.yaml');
  writeFileSync(file, 'hosts: 10\nduration: 1m\nserver: { tls: self-signed }\nfleet: { groups: [ { name: a, count: 10, platform: darwin, os_version: "14" } ] }\n');
  expect(() => loadSweepScenario(file)).toThrowError(expect.objectContaining({ code: 'CLI_INVALID_OPTION', message: expect.stringMatching(/plain HTTP: remove server\.tls/) }));
});
