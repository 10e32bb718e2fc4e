/**
 * Applying one timeline event during a run (scenarios/runner.ts calls it at the event's time):
 * policy changes, refetches and team moves through the REST API, restarts of the server process,
 * store outages through osqsim's fault route. Returns what was done, for the report.
 */
import { SeededRandom } from '../lib/rng.js';
import { forEachLimited, type FleetApi } from '../contract/fleet-rest.js';
import { editedQuery, hostsAt, selectPolicies } from './plan.js';
import { specOf, type RunState } from './run-state.js';
import type { Scenario } from './schema/scenario.js';
import type { ServerProcess } from './harness/server-process.js';
import { addedPolicies, type TimelineEvent } from './timeline.js';

export interface EventContext {
  scenario: Scenario;
  state: RunState;
  /** The REST API (absent with a target without a token: validation keeps API events out then). */
  api: FleetApi | undefined;
  /** The server process osqsim started (absent with a target). */
  server: ServerProcess | undefined;
  storeLabel: string;
  /** Policies left out of count scoring, with the reason. */
  unscored: Map<number, string>;
  elapsedS(): number;
  /** Pauses the sampler while the server is down. */
  setServerDown(down: boolean): void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

export async function applyTimelineEvent(ctx: EventContext, event: TimelineEvent): Promise<string> {
  switch (event.kind) {
    case 'ramp_hosts':
      return `hosts ${hostsAt(ctx.scenario, event.at - 1)} → ${event.to} over ${event.over / 1000}s`;
    case 'add_policies': {
      const added = addedPolicies(event);
      await ctx.state.apply(added);
      return `added ${added.length} policies${event.team ? ` to team ${event.team}` : ''}`;
    }
    case 'edit_policies': {
      const chosen = selectPolicies(event, ctx.state.live.filter((l) => l.id !== undefined));
      await forEachLimited(chosen, 8, async (p) => {
        p.query = editedQuery(p.query, event);
        await ctx.api!.modifyPolicy({ id: p.id!, team_id: p.team_id }, { query: p.query });
      });
      return `edited the query of ${chosen.length} polic${chosen.length === 1 ? 'y' : 'ies'}`;
    }
    case 'delete_policies': {
      const chosen = selectPolicies(event, ctx.state.live.filter((l) => l.id !== undefined));
      const byTeam = new Map<number | null, number[]>();
      for (const p of chosen) byTeam.set(p.team_id, [...(byTeam.get(p.team_id) ?? []), p.id!]);
      for (const [teamId, ids] of byTeam) await ctx.api!.deletePolicies(teamId, ids);
      ctx.state.live = ctx.state.live.filter((l) => !chosen.includes(l));
      return `deleted ${chosen.length} polic${chosen.length === 1 ? 'y' : 'ies'}`;
    }
    case 'refetch_hosts': {
      const hosts = await ctx.api!.hosts();
      const chosen = pick(hosts, event.percent, ctx.scenario.seed + event.at);
      await forEachLimited(chosen, 16, (h) => ctx.api!.refetch(h.id));
      return `refetch requested for ${chosen.length} of ${hosts.length} hosts (${event.percent}%)`;
    }
    case 'move_hosts': {
      const teamId = event.to_team === null ? null : (await ctx.api!.ensureTeam(event.to_team)).id;
      const hosts = (await ctx.api!.hosts()).filter((h) => h.team_id !== teamId);
      const chosen = pick(hosts, event.percent, ctx.scenario.seed + event.at);
      await ctx.api!.transferHosts(teamId, chosen.map((h) => h.id));
      // The truth keeps each moved host's last answer to the team policies it left (until it would
      // report again, which it never does for a policy out of scope): team policies are not scored from here on.
      if (chosen.length) for (const p of await ctx.api!.allPolicies()) if (p.team_id !== null) ctx.unscored.set(p.id, `not scored after ${chosen.length} hosts moved team at ${Math.round(ctx.elapsedS())}s: the simulator's truth keeps their answers to team policies they left`);
      return `moved ${chosen.length} hosts to ${event.to_team ?? 'no team'}`;
    }
    case 'restart_server': {
      ctx.setServerDown(true);
      try {
        await ctx.server!.restart(event.down_for);
      } finally {
        ctx.setServerDown(false);
      }
      if (ctx.storeLabel === 'memory') {
        // The memory store starts empty: put the run's teams, labels, policies and reports back, in their order.
        ctx.state.teamIds.clear();
        await ctx.state.reapply();
        return `server restarted after ${event.down_for / 1000}s down (pid ${ctx.server!.pid}); memory store empty: ${ctx.state.live.length} policies re-applied, hosts re-enroll`;
      }
      return `server restarted after ${event.down_for / 1000}s down (pid ${ctx.server!.pid})`;
    }
    case 'store_unavailable': {
      await ctx.api!.storeUnavailable(event.for);
      await sleep(event.for);
      return `store unavailable for ${event.for / 1000}s`;
    }
  }
}

/** `percent`% of the items, chosen with the scenario's seed (the same hosts on a rerun). */
function pick<T>(items: readonly T[], percent: number, seed: number): T[] {
  const count = Math.round((items.length * percent) / 100);
  const random = new SeededRandom(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, count);
}

