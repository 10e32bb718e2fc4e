/**
 * `osqsim server --policies FILE` (applyPolicyFile) applies a file's labels, policies and reports in
 * one store transaction, labels first, on both stores: a file that fails anywhere leaves no label.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyPolicyFile } from '../../../server/policies/apply.js';
import { createStore } from '../../../server/store/index.js';
import { describeMysql } from '../../helpers/mysql.js';

const doc = (kind: string, spec: string): string => `apiVersion: v1\nkind: ${kind}\nspec:\n${spec}`;
const LABEL = doc('label', '  name: Canaries\n  query: SELECT 1 FROM os_version;\n  platform: darwin\n');
const POLICY = doc('policy', '  name: Canary check\n  query: SELECT 1;\n  labels_include_any: [Canaries]\n');
const REPORT = (team: string): string => doc('report', `  name: Canary report\n  query: SELECT 1;\n  interval: 60\n${team ? `  team: ${team}\n` : ''}`);

function fileOf(...docs: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'osqsim-apply-')), 'lib.yml');
  writeFileSync(file, docs.join('---\n'));
  return file;
}

function suite(open: () => Promise<Awaited<ReturnType<typeof createStore>>>): void {
  it('applies labels first, then the policies scoped by them and the reports', async () => {
    const store = await open();
    try {
      const outcome = await applyPolicyFile(store, fileOf(REPORT(''), POLICY, LABEL), { createTeams: false });
      expect(outcome.labels).toEqual(['Canaries']);
      expect(outcome.created.map((p) => p.name)).toEqual(['Canary check']);
      expect(outcome.queriesCreated.map((q) => q.name)).toEqual(['Canary report']);
      expect(outcome.skipped).toEqual([]);
      const label = (await store.getLabelByName('Canaries'))!;
      expect((await store.listPolicies(null))[0]!.labelsIncludeAny).toEqual([{ id: label.id, name: 'Canaries' }]);
    } finally {
      await store.close();
    }
  });

  it('a file whose report cannot be applied leaves no label and no policy', async () => {
    const store = await open();
    try {
      await expect(applyPolicyFile(store, fileOf(LABEL, POLICY, REPORT('Nowhere')), { createTeams: false })).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
      expect(await store.getLabelByName('Canaries')).toBeUndefined();
      expect(await store.listAllPolicies()).toEqual([]);
      expect(await store.listQueries(null)).toEqual([]);
    } finally {
      await store.close();
    }
  });
}

describe('applyPolicyFile: one transaction (memory store)', () => {
  suite(() => createStore('memory'));
});

describeMysql('applyPolicyFile: one transaction (MySQL store)', (db) => {
  suite(async () => {
    const store = await createStore(db.url);
    // One database per suite: start each test from an empty library.
    await store.deletePolicies((await store.listAllPolicies()).map((p) => p.id));
    await store.deleteQueries((await store.listQueries(null)).map((q) => q.id));
    const label = await store.getLabelByName('Canaries');
    if (label) await store.deleteLabel(label.id);
    return store;
  });
});
