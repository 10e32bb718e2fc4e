/**
 * The few Fleet REST API calls the harness makes (reference fleet-policies.md §6), against osqsim's
 * server or Fleet itself: policies with their counts, spec apply, edits and deletes, teams, hosts,
 * refetch, team transfer, and osqsim's stats runs.
 */
import { osqsimError, type OsqsimError } from '../lib/errors.js';
import { trustingInit } from '../lib/trust.js';

export interface ApiPolicy {
  id: number;
  name: string;
  query: string;
  team_id: number | null;
  platform: string;
  passing_host_count: number;
  failing_host_count: number;
  host_count_updated_at: string | null;
}

export interface ApiPolicyList {
  policies?: ApiPolicy[];
  /** A team's list: the global policies that apply to its hosts. */
  inherited_policies?: ApiPolicy[];
}

export interface ApiTeam {
  id: number;
  name: string;
}

export interface ApiStatsRun {
  id: number | null;
  strategy: string;
  /** The server instance that ran it (osqsim's id of the process). */
  instance?: string;
  started_at: string;
  duration_ms: number;
  rows_scanned: number;
  policies_updated: number;
  drift: number;
}

export interface PolicySpecBody {
  name: string;
  query: string;
  description?: string;
  resolution?: string;
  platform?: string;
  critical?: boolean;
  team?: string;
  labels_include_any?: readonly string[];
  labels_exclude_any?: readonly string[];
}

/** A fleetctl `kind: label` spec as `POST /spec/labels` takes it. */
export interface LabelSpecBody {
  name: string;
  description?: string;
  query?: string;
  platform?: string;
  label_membership_type?: 'dynamic' | 'manual';
  hosts?: readonly string[];
}

/** A fleetctl report (query) spec as Fleet's `POST /spec/queries` takes it (fleet.QuerySpec). */
export interface QuerySpecBody {
  name: string;
  query: string;
  description?: string;
  team?: string;
  interval?: number;
  observer_can_run?: boolean;
  platform?: string;
  min_osquery_version?: string;
  automations_enabled?: boolean;
  logging?: string;
  discard_data?: boolean;
}

/** What osqsim's whole-file apply created and updated, per kind. */
export interface SpecFileOutcome {
  /** Absent from osqsim servers before labels joined the whole-file apply. */
  labels?: { created: number; updated: number };
  policies: { created: number; updated: number };
  queries: { created: number; updated: number };
}

/** Fleet's REST error body (`{"message": "...", "errors": [{"name": "base", "reason": "..."}]}`). */
interface FleetErrorBody {
  message?: string;
  errors?: Array<{ name?: string; reason?: string }>;
}

/** The server's reasons, one per item (`name: reason` unless it is Fleet's `base`), else its message. */
function reasonOf(status: number, text: string): string {
  let body: FleetErrorBody | undefined;
  try {
    body = text === '' ? undefined : (JSON.parse(text) as FleetErrorBody);
  } catch {
    body = undefined;
  }
  const items = (body?.errors ?? []).filter((item) => item.reason);
  const reasons = items.map((item) => (item.name && item.name !== 'base' ? `${item.name}: ${item.reason}` : item.reason!));
  if (reasons.length === 0) reasons.push(body?.message ?? (text.slice(0, 300) || `HTTP ${status}`));
  return reasons.length === 1 ? reasons[0]! : `\n  - ${reasons.join('\n  - ')}`;
}

/**
 * A failed answer as a catalogue error: 401 FLEET_API_UNAUTHORIZED, 404 FLEET_API_NOT_FOUND, other
 * 4xx FLEET_API_REJECTED (invalid input), anything else FLEET_API_FAILED.
 */
function answerError(url: string, what: string, status: number, text: string): OsqsimError {
  if (status === 401) return osqsimError('FLEET_API_UNAUTHORIZED', { url, what, status });
  const params = { url, what, status, reason: reasonOf(status, text) };
  if (status === 404) return osqsimError('FLEET_API_NOT_FOUND', params);
  return osqsimError(status >= 400 && status < 500 ? 'FLEET_API_REJECTED' : 'FLEET_API_FAILED', params);
}

/**
 * The one Fleet REST client (osqsim policies, the run harness, capacity and the benchmarks). Every
 * failure is a catalogue error (FLEET_API_*): match on `code`.
 */
export class FleetApi {
  readonly baseUrl: string;

  /**
   * `token` undefined or empty is FLEET_API_NO_TOKEN; a `baseUrl` that is not a URL is CLI_INVALID_OPTION (--url).
   * `ca`: PEM CA certificates to trust for an https server (a self-signed osqsim server's ca.pem).
   */
  constructor(
    baseUrl: string,
    private readonly token: string | undefined,
    private readonly timeoutMs = 15_000,
    private readonly ca?: string,
  ) {
    if (token === undefined || token === '') throw osqsimError('FLEET_API_NO_TOKEN');
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw osqsimError('CLI_INVALID_OPTION', { option: '--url', reason: `"${baseUrl}" is not a URL (expected http://host:port)` });
    }
    this.baseUrl = url.toString().replace(/\/+$/, '');
  }

  /**
   * One request; resolves with the parsed JSON answer of a 2xx. `what` names the request in an
   * error message (default `METHOD path`).
   */
  async call<T>(method: string, path: string, body?: unknown, what = `${method} ${path}`): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
        ...trustingInit(this.ca),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs / 1000}s` : (cause?.code ?? cause?.message ?? (error as Error).message);
      throw osqsimError('FLEET_API_UNREACHABLE', { url: this.baseUrl, reason }, error);
    }
    const text = await response.text();
    if (!response.ok) throw answerError(this.baseUrl, what, response.status, text);
    return (text ? JSON.parse(text) : {}) as T;
  }

  async teams(): Promise<ApiTeam[]> {
    return (await this.call<{ teams?: ApiTeam[] }>('GET', '/api/v1/fleet/teams')).teams ?? [];
  }

  async createTeam(name: string): Promise<ApiTeam> {
    return (await this.call<{ team: ApiTeam }>('POST', '/api/v1/fleet/teams', { name })).team;
  }

  /** The team of that name, created when missing. */
  async ensureTeam(name: string): Promise<ApiTeam> {
    const existing = (await this.teams()).find((t) => t.name === name);
    return existing ?? this.createTeam(name);
  }

  /** The global policies (`teamId` null), or a team's own and the global ones it inherits (0 = No team). */
  async listPolicies(teamId: number | null): Promise<ApiPolicyList> {
    return this.call<ApiPolicyList>('GET', teamId === null ? '/api/v1/fleet/global/policies' : `/api/v1/fleet/teams/${teamId}/policies`);
  }

  /** One policy with its counts (`teamId` null = a global policy). */
  async getPolicy(id: number, teamId: number | null = null): Promise<ApiPolicy> {
    return (await this.call<{ policy: ApiPolicy }>('GET', teamId === null ? `/api/v1/fleet/global/policies/${id}` : `/api/v1/fleet/teams/${teamId}/policies/${id}`)).policy;
  }

  /** Every policy (global, then each team's own), with its overall counts. */
  async allPolicies(teams?: readonly ApiTeam[]): Promise<ApiPolicy[]> {
    const out = [...((await this.listPolicies(null)).policies ?? [])];
    for (const team of teams ?? (await this.teams())) out.push(...((await this.listPolicies(team.id)).policies ?? []));
    return out;
  }

  /**
   * Applies policy specs (upsert by team + name), 500 per request for the harness's generated sets;
   * `atomic` sends them in one request, which the server applies all or none.
   */
  async applySpecs(specs: readonly PolicySpecBody[], options: { atomic?: boolean; what?: string } = {}): Promise<void> {
    const size = options.atomic ? Math.max(1, specs.length) : 500;
    for (let i = 0; i < specs.length; i += size) await this.call('POST', '/api/v1/fleet/spec/policies', { specs: specs.slice(i, i + size) }, options.what);
  }

  /** Every label (id and name are all the callers need). */
  async labels(): Promise<Array<{ id: number; name: string }>> {
    return (await this.call<{ labels?: Array<{ id: number; name: string }> }>('GET', '/api/v1/fleet/labels')).labels ?? [];
  }

  /** Applies label specs (upsert by name) in one request, which the server applies all or none. */
  async applyLabelSpecs(specs: readonly LabelSpecBody[], what?: string): Promise<void> {
    await this.call('POST', '/api/v1/fleet/spec/labels', { specs }, what);
  }

  /** Fleet's `POST /spec/queries`: upsert report specs by (team, name) in one request. */
  async applyQuerySpecs(specs: readonly QuerySpecBody[], what?: string): Promise<void> {
    await this.call('POST', '/api/v1/fleet/spec/queries', { specs }, what);
  }

  /**
   * osqsim's `POST /api/v1/osqsim/spec`: every kind of a fleetctl file in one transaction (all or
   * nothing). FLEET_API_NOT_FOUND from a server without the route (Fleet itself).
   */
  async applySpecFile(file: { labels?: readonly LabelSpecBody[]; policies: readonly PolicySpecBody[]; queries: readonly QuerySpecBody[] }, what?: string): Promise<SpecFileOutcome> {
    return this.call<SpecFileOutcome>('POST', '/api/v1/osqsim/spec', file, what);
  }

  async modifyPolicy(policy: { id: number; team_id: number | null }, patch: Record<string, unknown>): Promise<void> {
    const path = policy.team_id === null ? `/api/v1/fleet/global/policies/${policy.id}` : `/api/v1/fleet/teams/${policy.team_id}/policies/${policy.id}`;
    await this.call('PATCH', path, patch);
  }

  async deletePolicies(teamId: number | null, ids: readonly number[]): Promise<void> {
    const path = teamId === null ? '/api/v1/fleet/global/policies/delete' : `/api/v1/fleet/teams/${teamId}/policies/delete`;
    await this.call('POST', path, { ids });
  }

  /** Host ids (and teams), paged. */
  async hosts(): Promise<Array<{ id: number; team_id: number | null }>> {
    const out: Array<{ id: number; team_id: number | null }> = [];
    const perPage = 1000;
    for (let page = 0; ; page++) {
      const list = (await this.call<{ hosts?: Array<{ id: number; team_id: number | null }> }>('GET', `/api/v1/fleet/hosts?page=${page}&per_page=${perPage}`)).hosts ?? [];
      out.push(...list.map((h) => ({ id: h.id, team_id: h.team_id ?? null })));
      if (list.length < perPage) return out;
    }
  }

  async refetch(hostId: number): Promise<void> {
    await this.call('POST', `/api/v1/fleet/hosts/${hostId}/refetch`);
  }

  async transferHosts(teamId: number | null, hostIds: readonly number[]): Promise<void> {
    for (let i = 0; i < hostIds.length; i += 500) await this.call('POST', '/api/v1/fleet/hosts/transfer', { team_id: teamId, hosts: hostIds.slice(i, i + 500) });
  }

  async statsRuns(): Promise<ApiStatsRun[]> {
    return (await this.statsRunsPage()).runs;
  }

  /** The runs and the id of the instance that answered (osqsim; several instances share one store). */
  async statsRunsPage(): Promise<{ instance?: string; runs: ApiStatsRun[] }> {
    const page = await this.call<{ instance?: string; runs?: ApiStatsRun[] }>('GET', '/api/v1/osqsim/stats/runs?limit=1000');
    return { ...(typeof page.instance === 'string' ? { instance: page.instance } : {}), runs: page.runs ?? [] };
  }

  /** osqsim's fault toggle (optional on the server). */
  async storeUnavailable(ms: number): Promise<void> {
    await this.call('POST', '/api/v1/osqsim/faults', { store_unavailable_ms: ms });
  }
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
