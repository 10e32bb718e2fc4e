/**
 * `osqsim policies apply|list|delete`: fleetctl-style policy management against a running server's
 * REST API (Fleet's routes, so it also works against Fleet). Thin: read, call, print, exit code —
 * 0 ok, 2 invalid input (bad file, unknown team or policy, rejected by the server's validation),
 * 1 anything else (server unreachable, server error).
 */
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { EXIT, type ExitCode } from '../lib/exit-codes.js';
import { formatPolicyYamlErrors, NO_TEAM, parsePolicyYaml } from '../server/policies/fleetctl-yaml.js';
import { exitTwoOnUsageErrors } from '../lib/cli-usage.js';

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

/** A failure with the exit code it maps to; the message is for the user. */
class CommandError extends Error {
  constructor(message: string, readonly exitCode: ExitCode) {
    super(message);
  }
}

interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

interface FleetErrorBody {
  message?: string;
  errors?: Array<{ name?: string; reason?: string }>;
}

class ApiClient {
  private readonly base: string;
  private readonly token: string;

  constructor(flags: ClientFlags) {
    const token = flags.token ?? process.env['OSQSIM_API_TOKEN'];
    if (token === undefined || token === '') {
      throw new CommandError('no API token: pass --token or set OSQSIM_API_TOKEN (osqsim server prints its token at start)', EXIT.INVALID_INPUT);
    }
    const raw = flags.url ?? DEFAULT_URL;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new CommandError(`invalid --url "${raw}": expected http://host:port`, EXIT.INVALID_INPUT);
    }
    this.base = url.toString().replace(/\/+$/, '');
    this.token = token;
  }

  async call(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CommandError(`cannot reach the server at ${this.base}: ${cause?.code ?? cause?.message ?? (error as Error).message}`, EXIT.ERROR);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      parsed = { message: text };
    }
    return { status: response.status, body: parsed };
  }

  /** Calls and turns an error answer into a CommandError that says what was wrong. */
  async ok(method: string, path: string, body?: unknown, what = 'request'): Promise<unknown> {
    const answer = await this.call(method, path, body);
    if (answer.status >= 200 && answer.status < 300) return answer.body;
    throw answerError(answer, what);
  }
}

function answerError(answer: ApiAnswer, what: string): CommandError {
  const body = (answer.body ?? {}) as FleetErrorBody;
  const items = (body.errors ?? []).filter((item) => item.reason);
  const detail = items.length > 0 ? items.map((item) => (item.name && item.name !== 'base' ? `${item.name}: ${item.reason}` : item.reason)) : [body.message ?? `HTTP ${answer.status}`];
  if (answer.status === 401) {
    return new CommandError('the server rejected the API token: pass the token osqsim server printed at start (--token or OSQSIM_API_TOKEN)', EXIT.INVALID_INPUT);
  }
  const lines = detail.length === 1 ? `${what} failed: ${detail[0]}` : `${what} failed:\n  - ${detail.join('\n  - ')}`;
  return new CommandError(lines, answer.status >= 400 && answer.status < 500 ? EXIT.INVALID_INPUT : EXIT.ERROR);
}

interface PolicyJson {
  id: number;
  name: string;
  platform: string;
  team_id: number | null;
  critical: boolean;
  passing_host_count: number;
  failing_host_count: number;
  host_count_updated_at: string | null;
}

/** 'No team' → 0; a team name → its id (exit 2 if unknown). */
async function teamIdFor(client: ApiClient, name: string): Promise<number> {
  if (name === NO_TEAM) return 0;
  const body = (await client.ok('GET', '/api/latest/fleet/teams', undefined, 'listing teams')) as { teams?: Array<{ id: number; name: string }> };
  const team = (body.teams ?? []).find((t) => t.name === name);
  if (!team) throw new CommandError(`team "${name}" does not exist on the server`, EXIT.INVALID_INPUT);
  return team.id;
}

const scopePath = (teamId: number | undefined): string =>
  teamId === undefined ? '/api/latest/fleet/global/policies' : `/api/latest/fleet/teams/${teamId}/policies`;

async function run(action: () => Promise<void>, io: Output): Promise<ExitCode> {
  try {
    await action();
    return EXIT.OK;
  } catch (error) {
    if (error instanceof CommandError) {
      io.err(`error: ${error.message}`);
      return error.exitCode;
    }
    io.err(`error: ${(error as Error).stack ?? String(error)}`);
    return EXIT.ERROR;
  }
}

// --- apply ----------------------------------------------------------------------------------

export async function applyCommand(file: string, flags: ClientFlags, io: Output = stdio): Promise<ExitCode> {
  return run(async () => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new CommandError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, EXIT.INVALID_INPUT);
    }
    const parsed = parsePolicyYaml(text, file);
    for (const line of parsed.skipped) io.err(`notice: ${file} ${line} (only kind: policy is applied)`);
    const problems = parsed.errors.length > 0 ? [formatPolicyYamlErrors(file, parsed.errors)] : [];
    if (problems.length > 0) {
      throw new CommandError(`${file} is not valid; nothing was applied:\n${problems.join('\n')}`, EXIT.INVALID_INPUT);
    }
    if (parsed.specs.length === 0) {
      io.out(`${file}: no policies to apply`);
      return;
    }
    const client = new ApiClient(flags);
    const specs = parsed.specs.map((spec) => ({
      name: spec.name,
      query: spec.query,
      description: spec.description,
      resolution: spec.resolution,
      platform: spec.platform,
      critical: spec.critical,
      team: spec.team ?? '',
    }));
    const answer = await client.call('POST', '/api/latest/fleet/spec/policies', { specs });
    if (answer.status < 200 || answer.status >= 300) {
      const error = answerError(answer, `applying ${file} (nothing was applied)`);
      throw error;
    }
    io.out(`[+] applied ${specs.length} ${specs.length === 1 ? 'policy' : 'policies'} from ${file}`);
  }, io);
}

// --- list -----------------------------------------------------------------------------------

export async function listCommand(flags: ClientFlags & { team?: string; json?: boolean }, io: Output = stdio): Promise<ExitCode> {
  return run(async () => {
    const client = new ApiClient(flags);
    const teamId = flags.team === undefined ? undefined : await teamIdFor(client, flags.team);
    const body = (await client.ok('GET', scopePath(teamId), undefined, 'listing policies')) as {
      policies?: PolicyJson[];
      inherited_policies?: PolicyJson[];
    };
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
        p.team_id === null ? (teamId === undefined ? 'global' : 'inherited') : p.team_id === 0 ? NO_TEAM : `team ${p.team_id}`,
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
  return run(async () => {
    const client = new ApiClient(flags);
    const teamId = flags.team === undefined ? undefined : await teamIdFor(client, flags.team);
    const scope = flags.team === undefined ? 'global policies' : `team "${flags.team}"`;
    const body = (await client.ok('GET', scopePath(teamId), undefined, 'listing policies')) as { policies?: PolicyJson[] };
    const policies = body.policies ?? [];
    const match = /^\d+$/.test(target)
      ? policies.find((p) => p.id === Number(target)) ?? policies.find((p) => p.name === target)
      : policies.find((p) => p.name === target);
    if (!match) throw new CommandError(`no policy "${target}" among the ${scope} (use --team NAME for a team's policies)`, EXIT.INVALID_INPUT);
    await client.ok('POST', `${scopePath(teamId)}/delete`, { ids: [match.id] }, `deleting policy "${match.name}"`);
    io.out(`[-] deleted policy ${match.id} "${match.name}" from ${scope}`);
  }, io);
}

export function register(program: Command): void {
  const policies = exitTwoOnUsageErrors(program.command('policies')).description('Manage policies on a running server (Fleet REST API)');
  const withClient = (command: Command): Command =>
    command
      .option('--url <url>', 'server URL', DEFAULT_URL)
      .option('--token <token>', 'REST API bearer token (env OSQSIM_API_TOKEN)');

  withClient(
    policies
      .command('apply')
      .description('Apply fleetctl policy YAML (upsert by team + name; other kinds are skipped)')
      .requiredOption('-f, --file <file.yml>', 'fleetctl YAML file (multi-document)'),
  ).action(async (flags: ClientFlags & { file: string }) => {
    process.exitCode = await applyCommand(flags.file, flags);
  });

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
