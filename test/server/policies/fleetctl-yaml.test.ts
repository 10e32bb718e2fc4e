import { describe, expect, it } from 'vitest';
import { formatPolicyYamlErrors, parsePolicyYaml } from '../../../server/policies/fleetctl-yaml.js';

const FILE = `
apiVersion: v1
kind: policy
spec:
  name: Firewall enabled
  query: SELECT 1 FROM alf WHERE global_state >= 1;
  description: Checks the firewall
  resolution: Turn it on
  platform: darwin
  critical: true
---
apiVersion: v1
kind: team
spec:
  team:
    name: Engineering
---
apiVersion: v1
kind: policy
spec:
  name: Disk encryption
  query: SELECT 1 FROM bitlocker_info WHERE protection_status = 1;
  platform: "windows, linux"
  team: Engineering
  purpose: ignored
  tags: [ignored]
---
apiVersion: v1
kind: policy
spec:
  name: No team one
  query: SELECT 1;
  team: No team
`;

describe('fleetctl policy YAML', () => {
  it('reads kind: policy documents, ignores unknown keys and skips other kinds', () => {
    const result = parsePolicyYaml(FILE, 'policies.yml');
    expect(result.errors).toEqual([]);
    expect(result.skipped).toEqual(['doc 2: kind "team" skipped']);
    expect(result.specs).toEqual([
      {
        name: 'Firewall enabled',
        query: 'SELECT 1 FROM alf WHERE global_state >= 1;',
        description: 'Checks the firewall',
        resolution: 'Turn it on',
        platform: 'darwin',
        critical: true,
        team: undefined,
      },
      {
        name: 'Disk encryption',
        query: 'SELECT 1 FROM bitlocker_info WHERE protection_status = 1;',
        description: '',
        resolution: '',
        platform: 'windows,linux',
        critical: false,
        team: 'Engineering',
      },
      { name: 'No team one', query: 'SELECT 1;', description: '', resolution: '', platform: '', critical: false, team: 'No team' },
    ]);
  });

  it('treats team "" as global and ignores empty documents', () => {
    const result = parsePolicyYaml('---\n---\nkind: policy\nspec:\n  name: a\n  query: SELECT 1\n  team: ""\n', 'f.yml');
    expect(result.errors).toEqual([]);
    expect(result.specs[0]?.team).toBeUndefined();
  });

  it('reports every problem with its document and path', () => {
    const text = [
      'kind: policy\nspec:\n  query: SELECT 1',
      'kind: policy\nspec:\n  name: x\n  query: ""\n  critical: "yes"',
      'kind: policy\nspec:\n  name: y\n  query: SELECT 1\n  platform: beos',
      'kind: policy\nspec: [1, 2]',
      '- just\n- a list',
    ].join('\n---\n');
    const result = parsePolicyYaml(text, 'bad.yml');
    expect(result.specs).toEqual([]);
    expect(result.errors).toEqual([
      { doc: 1, path: 'spec.name', message: 'is required' },
      { doc: 2, path: 'spec.query', message: 'must not be blank' },
      { doc: 2, path: 'spec.critical', message: 'must be true or false' },
      { doc: 3, path: 'spec.platform', message: expect.stringContaining('unknown platform "beos"') },
      { doc: 4, path: 'spec', message: 'must be a mapping' },
      { doc: 5, path: '', message: expect.stringContaining('mapping') },
    ]);
    expect(formatPolicyYamlErrors('bad.yml', result.errors)).toContain('bad.yml doc 1 spec.name: is required');
  });

  it('reports YAML syntax errors', () => {
    const result = parsePolicyYaml('kind: policy\nspec: {name: [unclosed', 'broken.yml');
    expect(result.errors.length).toBeGreaterThan(0);
    expect(result.errors[0]?.doc).toBe(1);
  });

  it('rejects the same name twice in one team scope', () => {
    const doc = 'kind: policy\nspec:\n  name: same\n  query: SELECT 1\n';
    const result = parsePolicyYaml(`${doc}---\n${doc}---\n${doc}  team: T\n`, 'dup.yml');
    expect(result.errors).toEqual([{ doc: 0, path: 'specs[1].name', message: 'policy "same" appears twice for the same team' }]);
  });
});
