/** `osqsim server --policies FILE` with a fleetctl library: policies and reports applied together; other kinds listed. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyPolicyFile } from '../../server/policies/apply.js';
import { MemoryStore } from '../../server/store/index.js';
import { memoryStores, startTestServer, type TestServer } from './support.js';

const LIBRARY = [
  'apiVersion: v1\nkind: policy\nspec:\n  name: P\n  query: SELECT 1;\n',
  'apiVersion: v1\nkind: report\nspec:\n  name: usb devices\n  query: SELECT * FROM usb_devices;\n  interval: 3600\n  platform: darwin\n',
  'apiVersion: v1\nkind: query\nspec:\n  name: team report\n  query: SELECT 1;\n  interval: 60\n  team: Platform\n',
  'apiVersion: v1\nkind: label\nspec:\n  name: L\n  query: SELECT 1;\n',
  'apiVersion: v1\nkind: team\nspec:\n  team:\n    name: T\n',
].join('---\n');

describe('--policies with reports', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('applies policies and reports (teams created on demand) and serves the reports in the config', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'osqsim-')), 'lib.yml');
    writeFileSync(file, LIBRARY);
    t = await startTestServer(memoryStores, { enrollSecrets: [{ secret: 'plat', team: 'Platform' }], policiesFile: file });
    const team = await t.store.getTeamByName('Platform');
    expect((await t.store.listAllPolicies()).map((p) => p.name)).toEqual(['P']);
    expect((await t.store.listQueries(null)).map((q) => q.name)).toEqual(['usb devices']);
    expect((await t.store.listQueries(team!.id)).map((q) => q.name)).toEqual(['team report']);
    const key = await t.enroll('plat-1', { secret: 'plat' });
    const config = (await t.post('/api/osquery/config', { node_key: key })).json() as { packs: Record<string, { queries: Record<string, unknown> }> };
    expect(Object.keys(config.packs)).toEqual(['Global', `team-${team!.id}`]);
  });

  it('returns what it did not apply and the deprecation notice', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'osqsim-')), 'lib.yml');
    writeFileSync(file, LIBRARY);
    const store = new MemoryStore();
    const outcome = await applyPolicyFile(store, file, { createTeams: true });
    expect(outcome.created.map((p) => p.name)).toEqual(['P']);
    expect(outcome.queriesCreated.map((q) => q.name)).toEqual(['usb devices', 'team report']);
    expect(outcome.labels).toHaveLength(1); // its label document is applied too
    expect(outcome.skipped).toEqual(['doc 5: kind "team" skipped']);
    expect(outcome.notices).toEqual(['doc 3: `kind: query` is deprecated, please use `kind: report` instead']);
    // Applying the same file again updates, creates nothing.
    const again = await applyPolicyFile(store, file, { createTeams: true });
    expect([again.created.length, again.queriesCreated.length, again.updated.length, again.queriesUpdated.length]).toEqual([0, 0, 1, 2]);
  });

  it('refuses to start when a report is invalid, applying nothing', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'osqsim-')), 'bad.yml');
    writeFileSync(file, 'kind: policy\nspec:\n  name: P\n  query: SELECT 1;\n---\nkind: report\nspec:\n  name: R\n  query: SELECT 1;\n  logging: loud\n');
    const store = new MemoryStore();
    await expect(applyPolicyFile(store, file, { createTeams: true })).rejects.toMatchObject({
      code: 'POLICY_YAML_INVALID',
      message: expect.stringContaining('doc 2 spec.logging: invalid logging value'),
    });
    expect(await store.listAllPolicies()).toEqual([]);
  });
});
