/**
 * `osqsim apply` (also `osqsim policies apply`) and `osqsim policies list|delete`: fleetctl-style
 * management of labels, policies and reports against a running server's REST API (Fleet's routes, so it also works against Fleet). Thin: read, call, print, exit code —
 * 0 ok, 2 invalid input (bad file, unknown team or policy, rejected by the server's validation),
 * 1 anything else (server unreachable, server error).
 */
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { FleetApi, type LabelSpecBody, type QuerySpecBody } from '../contract/fleet-rest.js';
import { isOsqsimError, osqsimError } from '../lib/errors.js';
import { EXIT, type ExitCode } from '../lib/exit-codes.js';
import { formatPolicyYamlErrors, NO_TEAM, parsePolicyYaml, SERVED_KINDS } from '../server/policies/fleetctl-yaml.js';
import { labelNamesUsed, parseLabelYaml } from '../server/policies/labels-yaml.js';
import { reportError } from '../lib/cli-usage.js';

export const DEFAULT_URL = 'http://127.0.0.1:8080';

export interface ClientFlags {
  url?: string;
  token?: string;
}

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

const stdio: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** The REST client for the flags: --token, else OSQSIM_API_TOKEN (FLEET_API_NO_TOKEN without either); --url. */
function clientFor(flags: ClientFlags): FleetApi {
  return new FleetApi(flags.url ?? DEFAULT_URL, flags.token ?? process.env['OSQSIM_API_TOKEN']);
}

/** 'No team' → 0; a team name → its id (invalid input if unknown). */
async function teamIdFor(client: FleetApi, name: string): Promise<number> {
  if (name === NO_TEAM) return 0;
  const team = (await client.teams()).find((t) => t.name === name);
  if (!team) throw osqsimError('CLI_INVALID_OPTION', { option: '--team', reason: `team "${name}" does not exist on the server` });
  return team.id;
}

/** Runs a command's work; a failure is printed with its hint and decides the exit code (lib/cli-usage.ts). */
async function run(command: string, action: () => Promise<void>, io: Output): Promise<ExitCode> {
  try {
    await action();
    return EXIT.OK;
  } catch (error) {
    return reportError(command === 'apply' ? 'osqsim apply' : `osqsim policies ${command}`, error, (text) => io.err(text.replace(/\n$/, '')));
  }
}

// --- apply ----------------------------------------------------------------------------------

export async function applyCommand(file: string, flags: ClientFlags, io: Output = stdio): Promise<ExitCode> {
  return run('apply', async () => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw osqsimError('CLI_INVALID_OPTION', { option: '--file', reason: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` }, error);
    }
    const parsed = parsePolicyYaml(text, file);
    const labels = parseLabelYaml(text);
    // Documents osqsim does not serve are listed, never dropped silently (issue 14 item 5).
    const applied = SERVED_KINDS.join(', ');
    for (const line of parsed.skipped) io.err(`notice: ${file} ${line}: not applied (osqsim applies kind: ${applied})`);
    for (const line of parsed.notices) io.err(`notice: ${file} ${line}`);
    const errors = [...parsed.errors, ...labels.errors];
    if (errors.length > 0) {
      throw osqsimError('POLICY_YAML_INVALID', { file, details: `nothing was applied:\n${formatPolicyYamlErrors(file, errors)}` });
    }
    if (labels.builtins.length > 0) io.err(`notice: ${file} built-in labels left as they are: ${labels.builtins.join(', ')}`);
    if (parsed.specs.length === 0 && parsed.queries.length === 0 && labels.specs.length === 0) {
      io.out(`${file}: no policies, reports or labels to apply`);
      return;
    }
    const client = clientFor(flags);
    // Checked before anything is sent: a policy's labels exist once the file's labels are in.
    const inFile = new Set(labels.specs.map((l) => l.name.toLowerCase()));
    const elsewhere = labelNamesUsed(parsed.specs).filter((name) => !inFile.has(name.toLowerCase()));
    const onServer = new Set(elsewhere.length > 0 ? (await client.labels()).map((l) => l.name.toLowerCase()) : []);
    const unknown = elsewhere.filter((name) => !onServer.has(name.toLowerCase()));
    if (unknown.length > 0) {
      throw osqsimError('POLICY_YAML_INVALID', { file, details: `nothing was applied: ${file}: label ${unknown.map((n) => `"${n}"`).join(', ')} is used by a policy but is neither in the file nor on the server` });
    }
    const labelSpecs: LabelSpecBody[] = labels.specs.map((spec) => ({
      name: spec.name,
      description: spec.description,
      query: spec.query,
      platform: spec.platform,
      label_membership_type: spec.membershipType,
      ...(spec.hosts === undefined ? {} : { hosts: spec.hosts }),
    }));
    const policies = parsed.specs.map((spec) => ({
      name: spec.name,
      query: spec.query,
      description: spec.description,
      resolution: spec.resolution,
      platform: spec.platform,
      critical: spec.critical,
      team: spec.team ?? '',
      ...(spec.labelsIncludeAny === undefined ? {} : { labels_include_any: spec.labelsIncludeAny }),
      ...(spec.labelsExcludeAny === undefined ? {} : { labels_exclude_any: spec.labelsExcludeAny }),
    }));
    const queries: QuerySpecBody[] = parsed.queries.map((spec) => ({
      name: spec.name,
      query: spec.query,
      description: spec.description,
      team: spec.team ?? '',
      interval: spec.interval,
      observer_can_run: spec.observerCanRun,
      platform: spec.platform,
      min_osquery_version: spec.minOsqueryVersion,
      automations_enabled: spec.automationsEnabled,
      logging: spec.logging,
      discard_data: spec.discardData,
    }));
    try {
      // One request, one transaction on the server: labels first, then policies and reports.
      await client.applySpecFile({ labels: labelSpecs, policies, queries }, `applying ${file} (nothing was applied)`);
    } catch (error) {
      if (!isOsqsimError(error, 'FLEET_API_NOT_FOUND')) throw error;
      // A server without osqsim's whole-file route (Fleet): one request per kind, in fleetctl's order
      // (queries, labels, policies: Fleet server/service/client.go ApplyGroup).
      io.err(`notice: ${client.baseUrl} has no /api/v1/osqsim/spec (not osqsim?): applying kind by kind as fleetctl does, so a failure can leave the file partly applied`);
      const done: string[] = [];
      const sofar = (): string => (done.length > 0 ? `its ${done.join(' and ')} were applied` : 'nothing was applied');
      if (queries.length > 0) {
        await client.applyQuerySpecs(queries, `applying the reports of ${file} (${sofar()})`);
        done.push('reports');
      }
      if (labelSpecs.length > 0) {
        await client.applyLabelSpecs(labelSpecs, `applying the labels of ${file} (${sofar()})`);
        done.push('labels');
      }
      if (policies.length > 0) await client.applySpecs(policies, { atomic: true, what: `applying the policies of ${file} (${sofar()})` });
    }
    const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
    io.out(`[+] applied ${labelSpecs.length > 0 ? `${count(labelSpecs.length, 'label', 'labels')}, ` : ''}${count(policies.length, 'policy', 'policies')} and ${count(queries.length, 'report', 'reports')} from ${file}`);
  }, io);
}

// --- list -----------------------------------------------------------------------------------

export async function listCommand(flags: ClientFlags & { team?: string; json?: boolean }, io: Output = stdio): Promise<ExitCode> {
  return run('list', async () => {
    const client = clientFor(flags);
    const teamId = flags.team === undefined ? null : await teamIdFor(client, flags.team);
    const body = await client.listPolicies(teamId);
    if (flags.json) {
      io.out(JSON.stringify(body, null, 2));
      return;
    }
    const rows = [...(body.policies ?? []), ...(body.inherited_policies ?? [])];
    if (rows.length === 0) {
      io.out('no policies');
      return;
    }
    const table = [
      ['ID', 'NAME', 'SCOPE', 'PLATFORM', 'PASSING', 'FAILING', 'COUNTED AT'],
      ...rows.map((p) => [
        String(p.id),
        p.name,
        p.team_id === null ? (teamId === null ? 'global' : 'inherited') : p.team_id === 0 ? NO_TEAM : `team ${p.team_id}`,
        p.platform || 'all',
        String(p.passing_host_count),
        String(p.failing_host_count),
        p.host_count_updated_at ?? 'never',
      ]),
    ];
    const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
    for (const row of table) io.out(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd());
  }, io);
}

// --- delete ---------------------------------------------------------------------------------

export async function deleteCommand(target: string, flags: ClientFlags & { team?: string }, io: Output = stdio): Promise<ExitCode> {
  return run('delete', async () => {
    const client = clientFor(flags);
    const teamId = flags.team === undefined ? null : await teamIdFor(client, flags.team);
    const scope = flags.team === undefined ? 'global policies' : `team "${flags.team}"`;
    const policies = (await client.listPolicies(teamId)).policies ?? [];
    const match = /^\d+$/.test(target)
      ? policies.find((p) => p.id === Number(target)) ?? policies.find((p) => p.name === target)
      : policies.find((p) => p.name === target);
    if (!match) throw osqsimError('CLI_INVALID_ARGUMENT', { argument: '<name-or-id>', reason: `no policy "${target}" among the ${scope} (use --team NAME for a team's policies)` });
    await client.deletePolicies(teamId, [match.id]);
    io.out(`[-] deleted policy ${match.id} "${match.name}" from ${scope}`);
  }, io);
}

export function register(program: Command): void {
  const policies = program.command('policies').description('Manage policies on a running server (Fleet REST API)');
  const withClient = (command: Command): Command =>
    command
      .option('--url <url>', 'server URL', DEFAULT_URL)
      .option('--token <token>', 'REST API bearer token (env OSQSIM_API_TOKEN)');

  // `osqsim apply -f FILE` (fleetctl's verb) is the command; `osqsim policies apply` stays as an alias.
  const apply = (command: Command): void => {
    withClient(
      command
        .description('Apply a fleetctl file in one all-or-nothing step: labels (by name) first, then policies and reports (kind: report / query) upserted by team + name; other kinds are listed as not applied')
        .requiredOption('-f, --file <file.yml>', 'fleetctl YAML file (multi-document)'),
    ).action(async (flags: ClientFlags & { file: string }) => {
      process.exitCode = await applyCommand(flags.file, flags);
    });
  };
  apply(program.command('apply'));
  apply(policies.command('apply'));

  withClient(
    policies
      .command('list')
      .description("List global policies, or a team's policies with the global ones it inherits")
      .option('--team <name>', 'team name ("No team" for hosts without a team)')
      .option('--json', 'print the API answer as JSON'),
  ).action(async (flags: ClientFlags & { team?: string; json?: boolean }) => {
    process.exitCode = await listCommand(flags);
  });

  withClient(
    policies
      .command('delete')
      .description('Delete a policy by name or id')
      .argument('<name-or-id>', 'policy name or id')
      .option('--team <name>', 'team of the policy ("No team" for hosts without a team)'),
  ).action(async (target: string, flags: ClientFlags & { team?: string }) => {
    process.exitCode = await deleteCommand(target, flags);
  });
}
