/** `osqsim policies apply` and `osqsim server --policies` with fleetctl `kind: label` documents. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCommand, type Output } from '../../../cli/policies.js';
import { buildProgram } from '../../../cli/index.js';
import { buildServer, type OsqsimServer } from '../../../server/app.js';
import { createStore } from '../../../server/store/index.js';
import { applyPolicyFile } from '../../../server/policies/apply.js';

const TOKEN = 'cli-labels-token';

function capture(): Output & { outText(): string; errText(): string } {
  const out: string[] = [];
  const err: string[] = [];
  return { out: (l) => out.push(l), err: (l) => err.push(l), outText: () => out.join('\n'), errText: () => err.join('\n') };
}

const MIXED = `
apiVersion: v1
kind: label
spec:
  name: Engineering laptops
  query: SELECT 1 FROM system_info WHERE hostname LIKE 'eng-%';
---
apiVersion: v1
kind: label
spec:
  name: Legacy
  label_membership_type: manual
---
apiVersion: v1
kind: policy
spec:
  name: Disk encrypted (engineering, not legacy)
  query: SELECT 1 FROM disk_encryption WHERE encrypted = 1;
  labels_include_any: [Engineering laptops]
  labels_exclude_any: [Legacy]
---
apiVersion: v1
kind: report
spec:
  name: usb
  query: SELECT * FROM usb_devices;
`;

describe('fleetctl kind: label', () => {
  let server: OsqsimServer;
  let url: string;
  let dir: string;
  const flags = () => ({ url, token: TOKEN });

  beforeAll(async () => {
    server = await buildServer({ store: 'memory', host: '127.0.0.1', port: 0, apiToken: TOKEN, logLevel: 'silent' });
    url = await server.listen();
    dir = await mkdtemp(join(tmpdir(), 'osqsim-cli-labels-'));
  });
  afterAll(async () => {
    await server?.close();
  });

  it('osqsim policies apply: labels, the policies scoped by them and reports in one step; nothing skipped', async () => {
    const file = join(dir, 'mixed.yml');
    await writeFile(file, MIXED);
    const io = capture();
    expect(await applyCommand(file, flags(), io)).toBe(0);
    expect(io.outText()).toMatch(/applied 2 labels, 1 policy and 1 report/);
    expect(io.errText()).not.toMatch(/skipped/);
    const store = server.context.store;
    const eng = await store.getLabelByName('Engineering laptops');
    const legacy = await store.getLabelByName('Legacy');
    expect(eng).toMatchObject({ membershipType: 'dynamic', labelType: 'regular' });
    expect(legacy).toMatchObject({ membershipType: 'manual' });
    const [policy] = await store.listPolicies(null);
    expect(policy).toMatchObject({ labelsIncludeAny: [{ id: eng!.id, name: eng!.name }], labelsExcludeAny: [{ id: legacy!.id, name: legacy!.name }] });
    // Re-applying changes nothing and is fine.
    expect(await applyCommand(file, flags(), capture())).toBe(0);
    expect((await store.listLabels()).filter((l) => l.labelType === 'regular')).toHaveLength(2);
  });

  it('a policy naming a label that is nowhere applies nothing (exit 2); a bad label document too', async () => {
    const file = join(dir, 'missing-label.yml');
    await writeFile(file, 'kind: label\nspec:\n  name: Fresh\n  query: SELECT 1\n---\nkind: policy\nspec:\n  name: Scoped\n  query: SELECT 1\n  labels_include_any: [Ghost]\n');
    const io = capture();
    expect(await applyCommand(file, flags(), io)).toBe(2);
    expect(io.errText()).toMatch(/label "Ghost" is used by a policy but is neither in the file nor on the server/);
    expect(await server.context.store.getLabelByName('Fresh')).toBeUndefined();

    const bad = join(dir, 'bad-label.yml');
    await writeFile(bad, 'kind: label\nspec:\n  name: Writes\n  query: DELETE FROM users\n---\nkind: policy\nspec:\n  name: Fine\n  query: SELECT 1\n');
    const io2 = capture();
    expect(await applyCommand(bad, flags(), io2)).toBe(2);
    expect(io2.errText()).toMatch(/nothing was applied[\s\S]*doc 1 spec \(label "Writes"\): invalid label query/);
    expect((await server.context.store.listPolicies(null)).find((p) => p.name === 'Fine')).toBeUndefined();
  });

  it('a manual label naming an unknown host is refused by the server (exit 2), nothing applied', async () => {
    const file = join(dir, 'ghost-host.yml');
    await writeFile(file, 'kind: label\nspec:\n  name: Ghosts\n  label_membership_type: manual\n  hosts: [nobody]\n');
    const io = capture();
    expect(await applyCommand(file, flags(), io)).toBe(2);
    expect(io.errText()).toMatch(/no host matches "nobody"/);
    expect(await server.context.store.getLabelByName('Ghosts')).toBeUndefined();
  });

  it('osqsim apply -f FILE is the command; osqsim policies apply -f FILE its alias', async () => {
    for (const [argv, labelName] of [[['apply'], 'Top level'], [['policies', 'apply'], 'Alias']] as const) {
      const file = join(dir, `${labelName}.yml`);
      await writeFile(file, `kind: label\nspec:\n  name: ${labelName}\n  query: SELECT 1;\n`);
      const program = await buildProgram();
      const before = process.exitCode;
      const write = process.stdout.write;
      process.stdout.write = (() => true) as typeof process.stdout.write;
      try {
        await program.parseAsync(['node', 'osqsim', ...argv, '-f', file, '--url', url, '--token', TOKEN]);
        expect(process.exitCode).toBe(0);
      } finally {
        process.stdout.write = write;
        process.exitCode = before;
      }
      expect(await server.context.store.getLabelByName(labelName)).toMatchObject({ membershipType: 'dynamic' });
    }
  });

  it('osqsim server --policies applies the labels of the file before its policies', async () => {
    const file = join(dir, 'start.yml');
    await writeFile(file, MIXED);
    const store = await createStore('memory');
    const outcome = await applyPolicyFile(store, file, { createTeams: true });
    expect(outcome.labels).toEqual(['Engineering laptops', 'Legacy']);
    expect(outcome.skipped).toEqual([]);
    expect(outcome.queriesCreated).toHaveLength(1);
    expect((await store.listPolicies(null))[0]?.labelsIncludeAny?.[0]?.name).toBe('Engineering laptops');
    await writeFile(file, 'kind: policy\nspec:\n  name: P\n  query: SELECT 1\n  labels_exclude_any: [Nope]\n');
    const fresh = await createStore('memory');
    await expect(applyPolicyFile(fresh, file, { createTeams: true })).rejects.toMatchObject({ code: 'POLICY_YAML_INVALID' });
    expect(await fresh.listPolicies(null)).toEqual([]);
  });
});
