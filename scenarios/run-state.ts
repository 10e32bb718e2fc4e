/**
 * The policies and teams a run created on the server, in creation order, with their server ids —
 * what timeline events choose from and what a memory-store restart puts back.
 */
import type { ApiPolicy, FleetApi, PolicySpecBody } from '../contract/fleet-rest.js';
import type { PolicySpec } from '../contract/fleet-spec.js';

/** Policies the run created, in creation order, with their server ids. */
export interface LivePolicy {
  name: string;
  team?: string;
  query: string;
  description?: string;
  platform?: string;
  id?: number;
  team_id: number | null;
}

export function specOf(p: { name: string; query?: string; description?: string; platform?: string; team?: string }): PolicySpecBody {
  return { name: p.name, query: p.query ?? 'SELECT 1;', ...(p.description ? { description: p.description } : {}), ...(p.platform ? { platform: p.platform } : {}), ...(p.team ? { team: p.team } : {}) };
}

export class RunState {
  live: LivePolicy[] = [];
  teamIds = new Map<string, number>();
  /** Every policy id the run has seen → its name (deleted ones too, for the report). */
  everSeen = new Map<number, string>();
  constructor(readonly api: FleetApi | undefined) {}

  async ensureTeams(names: Iterable<string>): Promise<void> {
    if (!this.api) return;
    for (const name of new Set(names)) {
      if (!this.teamIds.has(name)) this.teamIds.set(name, (await this.api.ensureTeam(name)).id);
    }
  }

  async apply(policies: readonly PolicySpec[]): Promise<void> {
    if (!this.api || policies.length === 0) return;
    await this.ensureTeams(policies.map((p) => p.team).filter((t): t is string => t !== undefined));
    await this.api.applySpecs(policies.map(specOf));
    for (const p of policies) {
      const existing = this.live.find((l) => l.name === p.name && l.team === p.team);
      if (existing) existing.query = p.query ?? existing.query;
      else this.live.push({ name: p.name, ...(p.team ? { team: p.team } : {}), query: p.query ?? 'SELECT 1;', ...(p.description ? { description: p.description } : {}), ...(p.platform ? { platform: p.platform } : {}), team_id: p.team ? this.teamIds.get(p.team)! : null });
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

