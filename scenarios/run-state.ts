/**
 * The policies and teams a run created on the server, in creation order, with their server ids —
 * what timeline events choose from and what a memory-store restart puts back.
 */
import type { ApiPolicy, FleetApi, LabelSpecBody, PolicySpecBody, QuerySpecBody } from '../contract/fleet-rest.js';
import type { PolicySpec } from '../contract/fleet-spec.js';
import { isOsqsimError } from '../lib/errors.js';

/** The labels and reports a scenario applies with its policies (scenario `labels:` / `reports:`). */
export interface RunLibrary {
  labels: readonly LabelSpecBody[];
  reports: readonly QuerySpecBody[];
}

/** Policies the run created, in creation order, with their server ids. */
export interface LivePolicy {
  name: string;
  team?: string;
  query: string;
  description?: string;
  platform?: string;
  labels_include_any?: string[];
  labels_exclude_any?: string[];
  id?: number;
  team_id: number | null;
}

type PolicyFields = Pick<PolicySpec, 'name' | 'query' | 'description' | 'platform' | 'team' | 'labels_include_any' | 'labels_exclude_any'>;

export function specOf(p: PolicyFields): PolicySpecBody {
  return {
    name: p.name,
    query: p.query ?? 'SELECT 1;',
    ...(p.description ? { description: p.description } : {}),
    ...(p.platform ? { platform: p.platform } : {}),
    ...(p.team ? { team: p.team } : {}),
    ...(p.labels_include_any?.length ? { labels_include_any: p.labels_include_any } : {}),
    ...(p.labels_exclude_any?.length ? { labels_exclude_any: p.labels_exclude_any } : {}),
  };
}

export class RunState {
  live: LivePolicy[] = [];
  teamIds = new Map<string, number>();
  /** Every policy id the run has seen → its name (deleted ones too, for the report). */
  everSeen = new Map<number, string>();
  /** Applied with the run's first policies, and again after a memory-store restart. */
  library: RunLibrary = { labels: [], reports: [] };
  constructor(readonly api: FleetApi | undefined) {}

  /**
   * Sends policies, with the run's labels and reports when it has any: one request (osqsim's
   * whole-file apply, one transaction, labels first); against a server without it (Fleet), one
   * request per kind in fleetctl's order (reports, labels, policies).
   */
  private async send(policies: readonly PolicySpecBody[], withLibrary: boolean): Promise<void> {
    const api = this.api!;
    const { labels, reports } = withLibrary ? this.library : { labels: [], reports: [] };
    if (labels.length === 0 && reports.length === 0) {
      if (policies.length > 0) await api.applySpecs(policies);
      return;
    }
    await this.ensureTeams(reports.map((r) => r.team).filter((t): t is string => t !== undefined && t !== ''));
    try {
      await api.applySpecFile({ labels, policies, queries: reports }, "applying the scenario's labels, policies and reports (nothing was applied)");
    } catch (error) {
      if (!isOsqsimError(error, 'FLEET_API_NOT_FOUND')) throw error;
      // fleetctl's order: queries, labels, policies (Fleet server/service/client.go ApplyGroup).
      if (reports.length > 0) await api.applyQuerySpecs(reports, "applying the scenario's reports");
      if (labels.length > 0) await api.applyLabelSpecs(labels, "applying the scenario's labels");
      if (policies.length > 0) await api.applySpecs(policies);
    }
  }

  /** The run's first apply: its policies with its labels and reports. */
  async applyWithLibrary(policies: readonly PolicySpec[], library: RunLibrary): Promise<void> {
    this.library = library;
    await this.apply(policies, true);
  }

  /** After a memory-store restart: every policy the run created, with its labels and reports, in order. */
  async reapply(): Promise<void> {
    if (!this.api) return;
    await this.ensureTeams(this.live.map((l) => l.team).filter((t): t is string => t !== undefined));
    await this.send(this.live.map(specOf), true);
    await this.refresh();
  }

  async ensureTeams(names: Iterable<string>): Promise<void> {
    if (!this.api) return;
    for (const name of new Set(names)) {
      if (!this.teamIds.has(name)) this.teamIds.set(name, (await this.api.ensureTeam(name)).id);
    }
  }

  async apply(policies: readonly PolicySpec[], withLibrary = false): Promise<void> {
    if (!this.api) return;
    const library = withLibrary && (this.library.labels.length > 0 || this.library.reports.length > 0);
    if (policies.length === 0 && !library) return;
    await this.ensureTeams(policies.map((p) => p.team).filter((t): t is string => t !== undefined));
    await this.send(policies.map(specOf), withLibrary);
    for (const p of policies) {
      const existing = this.live.find((l) => l.name === p.name && l.team === p.team);
      if (existing) existing.query = p.query ?? existing.query;
      else
        this.live.push({
          name: p.name,
          ...(p.team ? { team: p.team } : {}),
          query: p.query ?? 'SELECT 1;',
          ...(p.description ? { description: p.description } : {}),
          ...(p.platform ? { platform: p.platform } : {}),
          ...(p.labels_include_any?.length ? { labels_include_any: p.labels_include_any } : {}),
          ...(p.labels_exclude_any?.length ? { labels_exclude_any: p.labels_exclude_any } : {}),
          team_id: p.team ? this.teamIds.get(p.team)! : null,
        });
    }
    await this.refresh();
  }

  async refresh(): Promise<ApiPolicy[]> {
    if (!this.api) return [];
    const teams = await this.api.teams();
    for (const t of teams) this.teamIds.set(t.name, t.id);
    const all = await this.api.allPolicies(teams);
    for (const l of this.live) {
      const teamId = l.team ? (this.teamIds.get(l.team) ?? null) : null;
      const found = all.find((p) => p.name === l.name && (p.team_id ?? null) === teamId);
      l.team_id = teamId;
      if (found) l.id = found.id;
    }
    for (const p of all) this.everSeen.set(p.id, p.name);
    return all;
  }

  names(): Map<number, string> {
    return new Map([...this.everSeen, ...this.live.filter((l) => l.id !== undefined).map((l) => [l.id!, l.name] as const)]);
  }
}

