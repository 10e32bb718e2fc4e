/** A scenario's fleetctl policy file: its reports and other kinds are named in notes, never dropped silently. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readScenario } from '../../scenarios/read.js';

describe('scenario policy files with other kinds', () => {
  it('takes the policies and names the reports and unserved kinds in notes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'osqsim-notes-'));
    writeFileSync(join(dir, 'lib.yml'), [
      'apiVersion: v1\nkind: policy\nspec:\n  name: P\n  query: SELECT 1 FROM os_version;\n',
      'apiVersion: v1\nkind: report\nspec:\n  name: R\n  query: SELECT 1;\n  interval: 60\n',
      'apiVersion: v1\nkind: label\nspec:\n  name: L\n  query: SELECT 1;\n',
    ].join('---\n'));
    writeFileSync(join(dir, 'scenario.yaml'), 'name: notes\nhosts: 2\nduration: 10s\npolicies: lib.yml\nfleet: builtin\n');
    const result = readScenario(join(dir, 'scenario.yaml'));
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.scenario.policies.map((p) => p.name)).toEqual(['P']);
    expect(result.notes).toEqual([
      'lib.yml: 1 report (kind: report) not applied by the scenario, which takes policies only; serve them with osqsim server --policies lib.yml or osqsim policies apply -f lib.yml',
      'lib.yml doc 3: kind "label" skipped: not applied (a scenario takes kind: policy)',
    ]);
  });
});
