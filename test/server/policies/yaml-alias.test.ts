/**
 * YAML that parses but cannot be turned into values (an alias before its anchor, an alias expansion
 * past the library's limit) is a problem of the file, listed like any other (found by fuzzing,
 * docs/RELIABILITY.md "Fuzzing"); it used to escape as an internal error (exit 1).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyCommand } from '../../../cli/policies.js';
import { parsePolicyYaml } from '../../../server/policies/fleetctl-yaml.js';
import { parseLabelYaml } from '../../../server/policies/labels-yaml.js';

const LAUGHS = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\n');

describe('fleetctl YAML that cannot become values', () => {
  for (const [name, text] of [['an alias before its anchor', 'apiVersion: v1\nkind: policy\nspec: *missing\n'], ['an alias expansion past the limit', LAUGHS]] as const) {
    it(`${name}: an error of the file, not a throw`, () => {
      const parsed = parsePolicyYaml(text, 'p.yml');
      expect(parsed.errors.length).toBeGreaterThan(0);
      expect(parsed.errors[0]!.message).toMatch(/^p\.yml: /);
      expect(parseLabelYaml(text).errors).toEqual([]);
    });
  }

  it('osqsim policies apply exits 2 with the message (nothing sent)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'osqsim-yaml-alias-'));
    try {
      const file = join(dir, 'p.yml');
      writeFileSync(file, 'apiVersion: v1\nkind: policy\nspec: *missing\n');
      const err: string[] = [];
      const code = await applyCommand(file, { url: 'http://127.0.0.1:9', token: 't' }, { out: () => undefined, err: (line) => err.push(line) });
      expect(code).toBe(2);
      expect(err.join('\n')).toMatch(/Unresolved alias/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
