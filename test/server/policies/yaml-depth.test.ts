/**
 * fleetctl YAML nested past what the YAML library reads (lib/yaml-depth.ts) is a problem
 * of the file, found before parsing. Found by fuzzing (docs/RELIABILITY.md "Fuzzing"): a 20 KB file
 * of 10,000 `[` made `osqsim policies apply -f` abort (V8 fatal error, exit 134) on its second parse
 * of the text; the abort needs a fresh process, so the command runs as one here.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePolicyYaml } from '../../../server/policies/fleetctl-yaml.js';
import { parseLabelYaml } from '../../../server/policies/labels-yaml.js';
import { MAX_FLOW_NESTING, flowNestingDepth } from '../../../lib/yaml-depth.js';
import { parseScenarioText } from '../../../scenarios/read.js';

const root = resolve(import.meta.dirname, '../../..');
const deep = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;

describe('fleetctl YAML nested too deep', () => {
  it('counts flow nesting, not brackets in quotes or comments', () => {
    expect(flowNestingDepth('a: [1, [2, {b: [3]}]]')).toBe(4);
    expect(flowNestingDepth('q: "[[[[[["\nr: \'{{{{\'\ns: x # [[[[[[\n')).toBe(0);
    expect(flowNestingDepth(`spec: {query: "SELECT 1 WHERE a = '[' ", x: [1]}`)).toBe(2);
    expect(flowNestingDepth(`a: ${'['.repeat(3)}"]]]"${']'.repeat(3)}`)).toBe(3);
  });

  it('is an error of the file, before the YAML library sees it; a file at the limit is read', () => {
    const parsed = parsePolicyYaml(deep(MAX_FLOW_NESTING + 1), 'p.yml');
    expect(parsed.errors).toEqual([{ doc: 1, path: '', message: `p.yml: flow collections ([ ] or { }) nested ${MAX_FLOW_NESTING + 1} levels deep; at most ${MAX_FLOW_NESTING} are read` }]);
    expect(parseLabelYaml(deep(MAX_FLOW_NESTING + 1))).toEqual({ specs: [], builtins: [], errors: [] });
    expect(parsePolicyYaml(deep(MAX_FLOW_NESTING), 'p.yml').errors[0]?.message).toBe('document must be a mapping with kind and spec');
  });

  it('osqsim policies apply -f exits 2 with the message on 10,000 levels (it aborted with exit 134)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'osqsim-yaml-depth-'));
    try {
      const file = join(dir, 'deep.yml');
      writeFileSync(file, deep(10_000));
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'cli/index.ts', 'policies', 'apply', '-f', file, '--url', 'http://127.0.0.1:9', '--token', 't'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
      expect(run.status, run.stderr.slice(0, 500)).toBe(2);
      expect(run.stderr).toMatch(/nested 10000 levels deep; at most 100 are read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('a scenario text nested past the limit is invalid YAML with the reason, parsed twice without an abort', () => {
    for (let i = 0; i < 2; i++) {
      const read = parseScenarioText(`name: x\nhosts: ${deep(10_000)}\n`, 's.yaml');
      expect(read.ok).toBe(false);
      expect(JSON.stringify(read)).toMatch(/nested 10000 levels deep; at most 100 are read/);
    }
  });
});
