/**
 * The few Fleet REST API calls the harness makes (reference fleet-policies.md §6), against osqsim's
 * server or Fleet itself: policies with their counts, spec apply, edits and deletes, teams, hosts,
 * refetch, team transfer, and osqsim's stats runs.
 */
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

export interface ApiTeam {
  id: number;
  name: string;
}

export interface ApiStatsRun {
  id: number | null;
  strategy: string;
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
  platform?: string;
  team?: string;
}

export class ApiError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
    this.name = 'ApiError';
  }
}

export class FleetApi {
  constructor(
    public baseUrl: string,
    private readonly token: string,
    private readonly timeoutMs = 15_000,
  ) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    if (!response.ok) {
      let message = text.slice(0, 300);
      try {
        const parsed = JSON.parse(text) as { message?: string; errors?: Array<{ reason?: string }> };
        message = [parsed.message, ...(parsed.errors ?? []).map((e) => e.reason)].filter(Boolean).join(': ') || message;
      } catch {
        // not JSON: keep the text
      }
      throw new ApiError(`${method} ${path} → ${response.status} ${message}`, response.status);
    }
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

  /** Every policy (global, then each team's own), with its overall counts. */
  async allPolicies(teams?: readonly ApiTeam[]): Promise<ApiPolicy[]> {
    const global = (await this.call<{ policies?: ApiPolicy[] }>('GET', '/api/v1/fleet/global/policies')).policies ?? [];
    const out = [...global];
    for (const team of teams ?? (await this.teams())) {
      const list = await this.call<{ policies?: ApiPolicy[] }>('GET', `/api/v1/fleet/teams/${team.id}/policies`);
      out.push(...(list.policies ?? []));
    }
    return out;
  }

  async applySpecs(specs: readonly PolicySpecBody[]): Promise<void> {
    for (let i = 0; i < specs.length; i += 500) await this.call('POST', '/api/v1/fleet/spec/policies', { specs: specs.slice(i, i + 500) });
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
    return (await this.call<{ runs?: ApiStatsRun[] }>('GET', '/api/v1/osqsim/stats/runs?limit=1000')).runs ?? [];
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
