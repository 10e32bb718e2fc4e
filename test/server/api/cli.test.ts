/** `osqsim policies apply|list|delete` against a real listening server (buildServer, memory store). */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type OsqsimServer } from '../../../server/app.js';
import { applyCommand, deleteCommand, listCommand, type Output } from '../../../cli/policies.js';
import { FleetApi } from '../../../contract/fleet-rest.js';

const TOKEN = 'cli-test-token';

function capture(): Output & { outText(): string; errText(): string } {
  const out: string[] = [];
  const err: string[] = [];
  return { out: (l) => out.push(l), err: (l) => err.push(l), outText: () => out.join('\n'), errText: () => err.join('\n') };
}

const GOOD = `
apiVersion: v1
kind: policy
spec:
  name: FileVault enabled
  query: SELECT 1 FROM disk_encryption WHERE user_uuid IS NOT '' AND filevault_status = 'on' LIMIT 1;
  description: Checks that FileVault is on.
  resolution: Turn on FileVault in System Settings.
  platform: darwin
  critical: true
  purpose: Informational
  tags: compliance, hardening
---
apiVersion: v1
kind: query
spec:
  name: usb devices
  query: SELECT * FROM usb_devices;
---
apiVersion: v1
kind: team
spec:
  team:
    name: Servers
---
apiVersion: v1
kind: policy
spec:
  name: Firewall on (Linux and Windows)
  query: SELECT 1 FROM os_version;
  platform: linux,windows
  team: "Workstations"
---
apiVersion: v1
kind: policy
spec:
  name: No-team screen lock
  query: SELECT 1 FROM screenlock WHERE enabled = 1;
  platform: darwin, linux
  team: No team
`;

const INVALID = `
apiVersion: v1
kind: policy
spec:
  name: Valid one
  query: SELECT 1;
---
apiVersion: v1
kind: policy
spec:
  name: ""
  query: SELECT 1;
---
apiVersion: v1
kind: policy
spec:
  name: Sneaky
  query: SELECT 1; DELETE FROM users;
---
apiVersion: v1
kind: policy
spec:
  name: Wrong platform
  query: DELETE FROM users;
  platform: solaris
`;

describe('osqsim policies (CLI) against a listening server', () => {
  let server: OsqsimServer;
  let url: string;
  let dir: string;
  const flags = () => ({ url, token: TOKEN });

  beforeAll(async () => {
    server = await buildServer({ store: 'memory', host: '127.0.0.1', port: 0, apiToken: TOKEN, logLevel: 'silent' });
    url = await server.listen();
    await server.context.store.createTeam('Workstations');
    dir = await mkdtemp(join(tmpdir(), 'osqsim-cli-'));
  });
  afterAll(async () => {
    await server?.close();
  });

  it('apply: multi-document file with a report, unserved kinds listed in a notice, teams and No team, round trip through list --json', async () => {
    const file = join(dir, 'good.yml');
    await writeFile(file, GOOD);
    const io = capture();
    expect(await applyCommand(file, flags(), io)).toBe(0);
    expect(io.outText()).toMatch(/applied 3 policies and 1 report/);
    const notices = io.errText().split('\n').filter((l) => l.startsWith('notice:'));
    expect(notices).toEqual([
      expect.stringMatching(/kind "team" skipped: not applied \(osqsim applies kind: label, policy, report, query\)/),
      expect.stringMatching(/`kind: query` is deprecated, please use `kind: report` instead/),
    ]);
    expect(await server.context.store.getQueryByName(null, 'usb devices')).toMatchObject({ query: 'SELECT * FROM usb_devices;' });

    const list = capture();
    expect(await listCommand({ ...flags(), json: true }, list)).toBe(0);
    const global = JSON.parse(list.outText()).policies;
    expect(global).toEqual([expect.objectContaining({ name: 'FileVault enabled', platform: 'darwin', critical: true, team_id: null })]);

    const team = capture();
    expect(await listCommand({ ...flags(), team: 'Workstations', json: true }, team)).toBe(0);
    const teamBody = JSON.parse(team.outText());
    expect(teamBody.policies).toEqual([expect.objectContaining({ name: 'Firewall on (Linux and Windows)', platform: 'linux,windows' })]);
    expect(teamBody.inherited_policies.map((p: { name: string }) => p.name)).toEqual(['FileVault enabled']);

    const noTeam = capture();
    expect(await listCommand({ ...flags(), team: 'No team', json: true }, noTeam)).toBe(0);
    expect(JSON.parse(noTeam.outText()).policies[0]).toMatchObject({ name: 'No-team screen lock', platform: 'darwin,linux', team_id: 0 });

    const table = capture();
    expect(await listCommand(flags(), table)).toBe(0);
    expect(table.outText()).toMatch(/^ID\s+NAME/);
    expect(table.outText()).toMatch(/FileVault enabled\s+global\s+darwin\s+0\s+0\s+never/);

    // Re-applying the same file changes nothing but is fine (upsert by team + name).
    expect(await applyCommand(file, flags(), capture())).toBe(0);
    expect((await server.context.store.listPolicies(null)).length).toBe(1);
  });

  it('apply: an invalid file applies nothing and reports every problem (exit 2)', async () => {
    const file = join(dir, 'invalid.yml');
    await writeFile(file, INVALID);
    const io = capture();
    expect(await applyCommand(file, flags(), io)).toBe(2);
    const err = io.errText();
    expect(err).toMatch(/nothing was applied/);
    expect(err).toMatch(/doc 2 spec\.name/);
    expect(err).toMatch(/doc 3 spec\.query \(policy "Sneaky"\).*one SQL statement/);
    expect(err).toMatch(/doc 4 spec\.platform.*solaris/);
    expect(err).toMatch(/doc 4 spec\.query .*DELETE/); // a document rejected for its platform still gets its query checked
    expect((await server.context.store.listPolicies(null)).find((p) => p.name === 'Valid one')).toBeUndefined();
  });

  it('apply: a server-side rejection (unknown team) is the user\'s problem (exit 2), nothing applied', async () => {
    const file = join(dir, 'unknown-team.yml');
    await writeFile(
      file,
      'apiVersion: v1\nkind: policy\nspec:\n  name: A\n  query: SELECT 1\n---\napiVersion: v1\nkind: policy\nspec:\n  name: B\n  query: SELECT 1\n  team: Nowhere\n',
    );
    const io = capture();
    expect(await applyCommand(file, flags(), io)).toBe(2);
    expect(io.errText()).toMatch(/team "Nowhere" does not exist/);
    expect(io.errText()).toMatch(/B/);
    expect((await server.context.store.listPolicies(null)).find((p) => p.name === 'A')).toBeUndefined();
  });

  it('apply: a file mixing labels, policies and reports applies as one step — a bad report means no label or policy either', async () => {
    const file = join(dir, 'mixed.yml');
    await writeFile(file, [
      'apiVersion: v1\nkind: label\nspec:\n  name: Mixed label\n  query: SELECT 1\n',
      'apiVersion: v1\nkind: policy\nspec:\n  name: Mixed policy\n  query: SELECT 1\n  labels_include_any: [Mixed label]\n',
      'apiVersion: v1\nkind: report\nspec:\n  name: Mixed report\n  query: SELECT 1\n  interval: 60\n  team: Nowhere\n',
    ].join('---\n'));
    const io = capture();
    expect(await applyCommand(file, flags(), io)).toBe(2);
    expect(io.errText()).toMatch(/team "Nowhere" does not exist/);
    expect((await server.context.store.listPolicies(null)).find((p) => p.name === 'Mixed policy')).toBeUndefined();
    expect(await server.context.store.getQueryByName(null, 'Mixed report')).toBeUndefined();
    expect(await server.context.store.getLabelByName('Mixed label')).toBeUndefined();
  });

  it('apply: against a server without /api/v1/osqsim/spec (Fleet), one request per kind with a notice', async () => {
    const { createServer } = await import('node:http');
    const seen: Array<{ url: string; body: any }> = [];
    const fleet = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk) => (text += chunk));
      request.on('end', () => {
        seen.push({ url: request.url ?? '', body: text ? JSON.parse(text) : undefined });
        const known = ['/api/v1/fleet/spec/labels', '/api/v1/fleet/spec/policies', '/api/v1/fleet/spec/queries'].includes(request.url ?? '');
        response.writeHead(known ? 200 : 404, { 'content-type': 'application/json' });
        response.end(known ? '{}' : '{"message":"Resource Not Found","errors":[{"name":"base","reason":"not found"}]}');
      });
    });
    await new Promise<void>((resolve) => fleet.listen(0, '127.0.0.1', resolve));
    try {
      const port = (fleet.address() as { port: number }).port;
      const file = join(dir, 'fleet.yml');
      await writeFile(file, 'kind: label\nspec:\n  name: L\n  query: SELECT 1\n---\nkind: policy\nspec:\n  name: P\n  query: SELECT 1\n  labels_include_any: [L]\n---\nkind: report\nspec:\n  name: R\n  query: SELECT 1\n  interval: 30\n  logging: differential\n');
      const io = capture();
      expect(await applyCommand(file, { url: `http://127.0.0.1:${port}`, token: TOKEN }, io)).toBe(0);
      expect(io.errText()).toMatch(/has no \/api\/v1\/osqsim\/spec \(not osqsim\?\): applying kind by kind/);
      // fleetctl's order: queries, labels, policies (Fleet server/service/client.go ApplyGroup).
      expect(seen.map((r) => r.url)).toEqual(['/api/v1/osqsim/spec', '/api/v1/fleet/spec/queries', '/api/v1/fleet/spec/labels', '/api/v1/fleet/spec/policies']);
      // The whole-file request carried all three kinds.
      expect(Object.keys(seen[0]!.body)).toEqual(['labels', 'policies', 'queries']);
      expect(seen[2]!.body.specs).toEqual([expect.objectContaining({ name: 'L', label_membership_type: 'dynamic' })]);
      expect(seen[1]!.body.specs).toEqual([expect.objectContaining({ name: 'R', interval: 30, logging: 'differential', team: '' })]);
    } finally {
      fleet.close();
    }
  });

  it('apply: a missing file is invalid input', async () => {
    const io = capture();
    expect(await applyCommand(join(dir, 'missing.yml'), flags(), io)).toBe(2);
    expect(io.errText()).toMatch(/cannot read .*ENOENT/);
  });

  it('delete by name, by id and in a team; unknown names exit 2', async () => {
    const file = join(dir, 'delete.yml');
    await writeFile(
      file,
      ['D1', 'D2'].map((n) => `apiVersion: v1\nkind: policy\nspec:\n  name: ${n}\n  query: SELECT 1\n`).join('---\n') +
        '---\napiVersion: v1\nkind: policy\nspec:\n  name: D3\n  query: SELECT 1\n  team: Workstations\n',
    );
    expect(await applyCommand(file, flags(), capture())).toBe(0);
    const store = server.context.store;
    const d2 = (await store.listPolicies(null)).find((p) => p.name === 'D2')!;
    const io = capture();
    expect(await deleteCommand('D1', flags(), io)).toBe(0);
    expect(io.outText()).toMatch(/deleted policy \d+ "D1"/);
    expect(await deleteCommand(String(d2.id), flags(), capture())).toBe(0);
    const missing = capture();
    expect(await deleteCommand('D3', flags(), missing)).toBe(2);
    expect(missing.errText()).toMatch(/no policy "D3" among the global policies/);
    expect(await deleteCommand('D3', { ...flags(), team: 'Workstations' }, capture())).toBe(0);
    expect((await store.listAllPolicies()).filter((p) => /^D\d$/.test(p.name))).toEqual([]);
    expect(await deleteCommand('x', { ...flags(), team: 'No such team' }, capture())).toBe(2);
  });

  it('auth and connection failures: no token 2, wrong token 2, unreachable server 1', async () => {
    const saved = process.env['OSQSIM_API_TOKEN'];
    delete process.env['OSQSIM_API_TOKEN'];
    try {
      const none = capture();
      expect(await listCommand({ url }, none)).toBe(2);
      expect(none.errText()).toMatch(/no API token/);
    } finally {
      if (saved !== undefined) process.env['OSQSIM_API_TOKEN'] = saved;
    }
    const wrong = capture();
    expect(await listCommand({ url, token: 'nope' }, wrong)).toBe(2);
    expect(wrong.errText()).toMatch(/rejected the API token/);
    const down = capture();
    expect(await listCommand({ url: 'http://127.0.0.1:9', token: TOKEN }, down)).toBe(1);
    expect(down.errText()).toMatch(/cannot reach the server/);
  });

  it('the REST client\'s failures are catalogue errors by code: 401, 404, other 4xx, unreachable', async () => {
    const codeOf = (promise: Promise<unknown>) => promise.then(() => 'resolved', (error: { code?: string }) => error.code);
    expect(await codeOf(new FleetApi(url, 'nope').teams())).toBe('FLEET_API_UNAUTHORIZED');
    const api = new FleetApi(url, TOKEN);
    expect(await codeOf(api.getPolicy(999999))).toBe('FLEET_API_NOT_FOUND');
    expect(await codeOf(api.call('POST', '/api/v1/fleet/global/policies/delete', { ids: 'all' }))).toBe('FLEET_API_REJECTED');
    expect(await codeOf(new FleetApi('http://127.0.0.1:9', TOKEN).teams())).toBe('FLEET_API_UNREACHABLE');
    expect(() => new FleetApi(url, '')).toThrow(expect.objectContaining({ code: 'FLEET_API_NO_TOKEN' }));
  });

  it('applies every policy fixture in scenarios/policies (the read-only SQL rule accepts real policies)', async () => {
    const files = ['macos.yml', 'windows.yml', 'linux.yml', 'cross-platform.yml', 'cis-like.yml'];
    for (const file of files) {
      const io = capture();
      const code = await applyCommand(join('scenarios', 'policies', file), flags(), io);
      expect(code, io.errText()).toBe(0);
    }
    const names = (await server.context.store.listPolicies(null)).map((p) => p.name);
    expect(names.length).toBeGreaterThanOrEqual(40 + 300);
  });

  it('runs as a real process (osqsim policies list) with OSQSIM_API_TOKEN', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'cli/index.ts', 'policies', 'list', '--url', url, '--json'], {
      env: { ...process.env, OSQSIM_API_TOKEN: TOKEN },
      timeout: 30_000,
    });
    expect(JSON.parse(stdout).policies.map((p: { name: string }) => p.name)).toContain('FileVault enabled');
  }, 40_000);
});
