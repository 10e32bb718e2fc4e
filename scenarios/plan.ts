/**
 * The plan of a scenario: what the run will do, second by second, computed without running it
 * (k6's execution plan). `osqsim scenario plan` prints it; the runner uses the same functions for
 * the host ramp (`hostsAt`) and the policy choices of timeline events (`selectPolicies`), so what
 * the plan says is what the run does.
 *
 * The traffic model follows osquery and Fleet (reference fleet-policies.md §2, DESIGN §3–§4):
 * - every running host reads every distributed_interval, fetches config every config_refresh and
 *   sends a log request at a logger_tls_period tick when it has status lines buffered;
 * - a new host is due everything at its first read, so it writes at once, then again every policy
 *   interval plus its jitter bucket (whole minutes, Fleet's table), plus half a read interval
 *   (the gate is noticed at the next read);
 * - a policy added mid-run reaches each host at that host's next policy run, and so does an edited
 *   one (its rows are wiped; Fleet's modifyPolicy leaves the hosts' timers alone). With the what-if
 *   `edited_policies: immediate` every host in scope also answers it at its next read: one extra
 *   write herd within a read interval, its timers unchanged. A refetch makes the hosts due
 *   everything at their next read: a herd that re-phases them;
 * - a restart of a server on the memory store loses everything: every host re-enrolls (node_invalid)
 *   within one read interval and writes again;
 * - hosts of `agent: fleetd` groups add orbit's and Fleet Desktop's tickers (./fleetd-traffic.ts:
 *   one request per period per host, and the one-off requests at start).
 */
import type { PlanSummary } from '../contract/result.js';
import { AGENT_ENDPOINTS, ENDPOINT_INFO, type AgentEndpointName, type EndpointKind, type EndpointName, type OrbitEndpointName } from '../contract/vocabulary.js';
import { fleetPlatformOf, platformMatches } from '../contract/platforms.js';
import { groupCounts } from '../simulator/identity.js';
import { jitterBucketCount } from '../server/osquery/jitter.js';
import type { PolicySpec } from '../contract/fleet-spec.js';
import type { Scenario } from './schema/scenario.js';
import { strategiesOf } from './schema/sections/server.js';
import { type StatsStrategyName } from '../contract/vocabulary.js';
import { addedPolicies, type TimelineEvent } from './timeline.js';
import { policyCycleS, steadyStateRates, type FleetIntervals } from './traffic.js';
import { vitalsRowsPerWrite } from './vitals-rows.js';
import { FLEETD_TRAFFIC, TOKEN_ROTATION_PERIOD_S } from './fleetd-traffic.js';
import { labelQueriesPerHost, reportTrafficPerHost, steadyLabelQueriesPerS } from './library-traffic.js';
import { BUILTIN_LABELS } from '../server/store/label-rules.js';

const BUILTIN_LABEL_COUNT = BUILTIN_LABELS.length;

export interface PlanPoint {
  /** Seconds since the start of the run. */
  t: number;
  hosts: number;
  /** Requests per second by endpoint: osquery's always, fleetd's (orbit, Desktop) when a group runs fleetd. */
  rates: PlanRates;
  /** policy_membership rows upserted per second. */
  membership_writes_per_s: number;
  /** Rows in policy_membership. */
  membership_rows: number;
  /** Writes per second that carry host vitals (detail results), and the vitals rows they carry. */
  vitals_writes_per_s: number;
  vitals_rows_per_s: number;
  /** Label queries sent (and answered) per second: each host's first read, then every label_update_interval + jitter. */
  label_queries_per_s: number;
  /** Scheduled-query result lines and rows logged per second (./library-traffic.ts). */
  log_result_lines_per_s: number;
  log_result_rows_per_s: number;
  /** Policies that exist on the server. */
  policies: number;
}

/** Requests per second by endpoint: osquery's, and fleetd's when the fleet has fleetd hosts. */
export type PlanRates = Record<EndpointName, number> & Partial<Record<OrbitEndpointName, number>>;

/** One endpoint's mean rate over the measured window (after the warm-up): the request mix. */
export interface PlanMixRow {
  endpoint: AgentEndpointName;
  label: string;
  kind: EndpointKind;
  rate_per_s: number;
  /** rate ÷ mean hosts running over the window. */
  per_host: number;
}

export interface PlanGroup {
  name: string;
  hosts: number;
  platform: string;
  fleet_platform: string;
  team: string | null;
  policies_in_scope: number;
  /** Rows one host of the group carries in a vitals write (software, users, the single-row vitals). */
  vitals_rows_per_write: number;
  software_rows_per_host: number;
  /** Label queries one host runs per label run (built-in + the scenario's dynamic labels for its platform). */
  label_queries_per_host: number;
  /** Scheduled queries (reports) in the group's config. */
  reports_in_scope: number;
  /** The group's agent: osquery alone, or fleetd (orbit + osquery, and Fleet Desktop unless fleet_desktop: false). */
  agent: 'osquery' | 'fleetd';
  fleet_desktop: boolean;
}

export interface ScenarioPlan {
  name: string;
  duration_s: number;
  warmup_s: number;
  hosts: number;
  store: string;
  strategies: StatsStrategyName[];
  target: string[] | null;
  groups: PlanGroup[];
  cycle: { policy_interval_s: number; detail_interval_s: number; label_interval_s: number; jitter_buckets: number; mean_cycle_s: number; distributed_interval_s: number };
  /** The timeline's events in time order; those a shortened run (`--duration`) cuts off are marked skipped. */
  events: Array<{ t: number; kind: string; effect: string; skipped?: true }>;
  points: PlanPoint[];
  /** At the end of the run. */
  final: PlanPoint;
  peak: { rates: PlanRates; membership_writes_per_s: number; membership_rows: number; vitals_rows_per_s: number; label_queries_per_s: number; log_result_rows_per_s: number };
  /** Every endpoint the hosts call, with its mean rate and rate per host after the warm-up, and the total. */
  mix: { endpoints: PlanMixRow[]; total_per_s: number; total_per_host: number };
  assumptions: string[];
}

/** The endpoints a plan has rates for: osquery's, and fleetd's when any group runs fleetd. */
function planEndpoints(rates: PlanRates): AgentEndpointName[] {
  return AGENT_ENDPOINTS.filter((e) => rates[e] !== undefined);
}

/** Hosts that should be running at `tMs` (ramps from the timeline, else the start period). Pure. */
export function hostsAt(scenario: Pick<Scenario, 'hosts' | 'timeline' | 'agent'>, tMs: number): number {
  const ramps = scenario.timeline.filter((e): e is Extract<TimelineEvent, { kind: 'ramp_hosts' }> => e.kind === 'ramp_hosts');
  if (ramps.length === 0) {
    const period = scenario.agent.start_period;
    if (period <= 0 || tMs >= period) return scenario.hosts;
    return Math.max(0, Math.min(scenario.hosts, Math.floor((scenario.hosts * Math.max(0, tMs)) / period)));
  }
  let hosts = 0;
  for (const ramp of ramps) {
    if (tMs < ramp.at) break;
    if (ramp.over <= 0 || tMs >= ramp.at + ramp.over) hosts = ramp.to;
    else hosts = Math.floor(hosts + ((ramp.to - hosts) * (tMs - ramp.at)) / ramp.over);
  }
  return hosts;
}

/** Whether the run ramps hosts through the timeline (then the runner calls setHosts each second). */
export function hasRamps(scenario: Pick<Scenario, 'timeline'>): boolean {
  return scenario.timeline.some((e) => e.kind === 'ramp_hosts');
}

/** A policy as the run knows it (ordered by creation). */
export interface LivePolicy extends PolicySpec {
  /** Seconds since start when it was (re)created or its query last changed. */
  since_s: number;
}

/**
 * Which policies an edit or delete event touches, from the policies that exist (in creation order):
 * by name; else `count` of them (edits: the oldest first; deletes: the newest first); else all.
 */
export function selectPolicies<T extends { name: string }>(event: { kind: 'edit_policies' | 'delete_policies'; names?: string[]; count?: number }, existing: readonly T[]): T[] {
  if (event.names) return existing.filter((p) => event.names!.includes(p.name));
  const count = event.count ?? existing.length;
  return event.kind === 'delete_policies' ? existing.slice(-count).reverse() : existing.slice(0, count);
}

/** The query an edit gives a policy: the event's, or the old one with a comment (same answers, new text). */
export function editedQuery(query: string, event: { at: number; query?: string }): string {
  if (event.query) return event.query;
  return `${query.trim().replace(/;+\s*$/, '')} /* osqsim edit ${Math.round(event.at / 1000)}s */`;
}

interface Cohort {
  size: number;
  start: number;
  spread: number;
  end: number;
  /** First write at `start` (new or reset hosts), not only echoes. */
  writesAtStart: boolean;
}

export function planScenario(scenario: Scenario): ScenarioPlan {
  const durationS = Math.ceil(scenario.duration / 1000);
  const di = scenario.agent.distributed_interval / 1000;
  const server = scenario.server;
  const policyInterval = (server?.policy_update_interval ?? 3_600_000) / 1000;
  const detailInterval = (server?.detail_update_interval ?? 3_600_000) / 1000;
  const labelInterval = (server?.label_update_interval ?? 3_600_000) / 1000;
  const jitterPct = server?.max_jitter_percent ?? 10;
  const buckets = jitterBucketCount(policyInterval * 1000, jitterPct);
  // A due gate is noticed at the host's next read, on average half a read interval after it opens:
  // each run lands over one read interval, and the cycle is the interval + jitter + di/2 on average.
  const meanCycleOf = (interval: number, j: number) => policyCycleS(interval, j, di);
  const detailBuckets = jitterBucketCount(detailInterval * 1000, jitterPct);
  const meanCycle = meanCycleOf(policyInterval, (buckets - 1) / 2);
  const memory = server !== undefined && server.store === 'memory';

  const counts = groupCounts(scenario.fleet.groups, scenario.hosts);
  const shares = counts.map((c) => c / Math.max(1, scenario.hosts));
  const groups = scenario.fleet.groups.map((g, i) => ({
    name: g.name,
    hosts: counts[i]!,
    platform: g.platform,
    fleet_platform: fleetPlatformOf(g.platform),
    team: g.team ?? null,
    vitals: vitalsRowsPerWrite(g),
    labels: labelQueriesPerHost(g, scenario.labels ?? []),
    reports: reportTrafficPerHost(g, scenario.reports ?? []),
    agent: g.agent === 'fleetd' ? ('fleetd' as const) : ('osquery' as const),
    fleet_desktop: g.agent === 'fleetd' && g.fleet_desktop !== false,
  }));
  const labelCycle = meanCycleOf(labelInterval, (jitterBucketCount(labelInterval * 1000, jitterPct) - 1) / 2);
  const inScope = (policy: PolicySpec, g: (typeof groups)[number]) =>
    platformMatches(policy.platform ?? '', g.fleet_platform) && (!policy.team || policy.team === g.team);

  // Hosts started by the end of each second, and new hosts per second.
  const started = Array.from({ length: durationS + 1 }, (_, s) => hostsAt(scenario, s * 1000));
  const enrolls = started.map((h, s) => (s === 0 ? h : Math.max(0, h - started[s - 1]!)));

  // Policies over time and the events' effects.
  let live: LivePolicy[] = scenario.policies.map((p) => ({ ...p, since_s: 0 }));
  const policyTimeline: Array<{ t: number; policies: LivePolicy[] }> = [{ t: 0, policies: live }];
  const resets: Array<{ t: number; spread: number; fraction: number; groups: boolean[]; reenroll: boolean }> = [];
  // One-off writes that do not move the hosts' policy timers (edited policies, what-if mode).
  const bursts: Array<{ t: number; spread: number; groups: boolean[] }> = [];
  const immediateEdits = server?.edited_policies === 'immediate';
  const events: ScenarioPlan['events'] = [];
  for (const event of scenario.timeline) {
    const t = event.at / 1000;
    switch (event.kind) {
      case 'ramp_hosts':
        events.push({ t, kind: event.kind, effect: `hosts → ${event.to} over ${event.over / 1000}s` });
        break;
      case 'add_policies': {
        const added = addedPolicies(event).map((p) => ({ ...p, since_s: t }));
        live = [...live, ...added];
        events.push({ t, kind: event.kind, effect: `+${added.length} policies (reach each host at its next policy run, within ~${Math.round(meanCycle)}s)` });
        break;
      }
      case 'edit_policies': {
        const chosen = new Set(selectPolicies(event, live).map((p) => p.name));
        live = live.map((p) => (chosen.has(p.name) ? { ...p, since_s: t } : p));
        if (immediateEdits) {
          bursts.push({ t, spread: di, groups: groups.map((g) => live.some((p) => chosen.has(p.name) && inScope(p, g))) });
          events.push({ t, kind: event.kind, effect: `${chosen.size} policies edited: their rows are wiped and every host in scope answers them at its next read (what-if edited_policies: immediate; herd within ${di}s, policy timers unchanged)` });
        } else {
          events.push({ t, kind: event.kind, effect: `${chosen.size} policies edited: their rows and counts are wiped; hosts re-run them at their next policy run (within ~${Math.round(meanCycle)}s), as Fleet` });
        }
        break;
      }
      case 'delete_policies': {
        const chosen = new Set(selectPolicies(event, live).map((p) => p.name));
        live = live.filter((p) => !chosen.has(p.name));
        events.push({ t, kind: event.kind, effect: `${chosen.size} policies deleted with their rows` });
        break;
      }
      case 'refetch_hosts':
        resets.push({ t, spread: di, fraction: event.percent / 100, groups: groups.map(() => true), reenroll: false });
        events.push({ t, kind: event.kind, effect: `${event.percent}% of hosts due everything at their next read (herd within ${di}s)` });
        break;
      case 'restart_server': {
        const back = t + event.down_for / 1000;
        if (memory) {
          live = live.map((p) => ({ ...p, since_s: back }));
          resets.push({ t: back, spread: di, fraction: 1, groups: groups.map(() => true), reenroll: true });
          events.push({ t, kind: event.kind, effect: `server down ${event.down_for / 1000}s; the memory store starts empty: every host re-enrolls and writes within ${di}s of the restart` });
        } else {
          events.push({ t, kind: event.kind, effect: `server down ${event.down_for / 1000}s; the store keeps its data: hosts resume (requests fail while it is down)` });
        }
        break;
      }
      case 'store_unavailable':
        events.push({ t, kind: event.kind, effect: `the store fails for ${event.for / 1000}s: reads and enrolls that need it get 503; writes are answered 200 and their results dropped (as Fleet), so those hosts stay due; traffic shape unchanged` });
        break;
      case 'move_hosts':
        events.push({ t, kind: event.kind, effect: `${event.percent}% of hosts move to ${event.to_team ?? 'no team'}: their team policies' rows go; new team policies arrive at their next policy run (not modelled in the rows below)` });
        break;
    }
    policyTimeline.push({ t, policies: live });
  }
  for (const event of scenario.skipped_timeline ?? []) {
    events.push({ t: event.at / 1000, kind: event.kind, effect: `skipped: after the end of the run (${scenario.duration / 1000}s)`, skipped: true });
  }
  const policiesAt = (s: number): LivePolicy[] => {
    let current = policyTimeline[0]!.policies;
    for (const entry of policyTimeline) {
      if (entry.t <= s) current = entry.policies;
      else break;
    }
    return current;
  };

  // Writes per group per second, from cohorts of hosts that ran their policies together.
  const writes = groups.map(() => new Float64Array(durationS + 1));
  const detailWrites = new Float64Array(durationS + 1);
  // Writes that carry the group's vitals: a host's first write, then every detail cycle.
  const vitalsWrites = groups.map(() => new Float64Array(durationS + 1));
  const reenrolls = new Float64Array(durationS + 1);
  const add = (series: Float64Array, at: number, spread: number, amount: number) => {
    const width = Math.max(1, Math.ceil(spread));
    const first = Math.floor(at);
    for (let k = 0; k < width; k++) {
      const s = first + k;
      if (s >= 0 && s <= durationS) series[s]! += amount / width;
    }
  };
  groups.forEach((g, gi) => {
    const cohorts: Cohort[] = [];
    enrolls.forEach((n, s) => {
      if (n > 0) cohorts.push({ size: n * shares[gi]!, start: s, spread: 1, end: Infinity, writesAtStart: true });
    });
    for (const reset of resets) {
      if (!reset.groups[gi]) continue;
      const running = started[Math.min(durationS, Math.floor(reset.t))]! * shares[gi]!;
      for (const c of [...cohorts]) {
        if (c.start > reset.t || c.end <= reset.t) continue;
        cohorts.push({ ...c, size: c.size * reset.fraction, end: reset.t, writesAtStart: c.writesAtStart });
        c.size *= 1 - reset.fraction;
      }
      cohorts.push({ size: running * reset.fraction, start: reset.t, spread: reset.spread, end: Infinity, writesAtStart: true });
      if (reset.reenroll) add(reenrolls, reset.t, reset.spread, running);
    }
    for (const burst of bursts) {
      if (burst.groups[gi]) add(writes[gi]!, burst.t, burst.spread, started[Math.min(durationS, Math.floor(burst.t))]! * shares[gi]!);
    }
    for (const c of cohorts) {
      if (c.size <= 0) continue;
      if (c.writesAtStart) add(writes[gi]!, c.start, c.spread, c.size);
      if (c.writesAtStart) add(vitalsWrites[gi]!, c.start, c.spread, c.size);
      for (let j = 0; j < detailBuckets; j++) {
        const cycle = meanCycleOf(detailInterval, j);
        for (let at = c.start + cycle - di / 2; at <= durationS && at < c.end; at += cycle) add(vitalsWrites[gi]!, at, Math.max(c.spread, di), c.size / detailBuckets);
      }
      for (let j = 0; j < buckets; j++) {
        const cycle = meanCycleOf(policyInterval, j);
        for (let at = c.start + cycle - di / 2; at <= durationS && at < c.end; at += cycle) add(writes[gi]!, at, Math.max(c.spread, di), c.size / buckets);
      }
      if (detailInterval !== policyInterval) {
        for (let j = 0; j < detailBuckets; j++) {
          const cycle = meanCycleOf(detailInterval, j);
          for (let at = c.start + cycle - di / 2; at <= durationS && at < c.end; at += cycle) add(detailWrites, at, Math.max(c.spread, di), c.size / detailBuckets);
        }
      }
    }
  });
  const prefix = writes.map((series) => {
    const out = new Float64Array(series.length + 1);
    series.forEach((v, s) => (out[s + 1] = out[s]! + v));
    return out;
  });

  const lambda = scenario.agent.status_lines_per_hour / 3600;
  const logPeriod = scenario.agent.logger_tls_period / 1000;
  // A tick sends when at least one status line arrived since the last (Poisson).
  const intervals: FleetIntervals = {
    distributedIntervalS: di,
    policyIntervalS: policyInterval,
    detailIntervalS: detailInterval,
    configRefreshS: scenario.agent.config_refresh / 1000,
    loggerTlsPeriodS: logPeriod,
    logSendFraction: lambda > 0 ? 1 - Math.exp(-lambda * logPeriod) : 0,
  };

  // fleetd's tickers (./fleetd-traffic.ts) are fixed-rate Go tickers anchored at each host's start:
  // hosts that started in second s send in seconds s, s + P, s + 2P, … (ticks[s] = starts[s] +
  // ticks[s − P]); with fleetd_phase steady the tickers whose first tick would be one period after
  // the start run at seeded phases instead: hosts running ÷ P each second. When hosts are ramped
  // down, the ticks are scaled by the share of the started hosts still running.
  const orbitShare = groups.reduce((sum, g, gi) => sum + (g.agent === 'fleetd' ? shares[gi]! : 0), 0);
  const desktopShare = groups.reduce((sum, g, gi) => sum + (g.fleet_desktop ? shares[gi]! : 0), 0);
  const fleetdFresh = scenario.agent.fleetd_phase !== 'steady';
  const everStarted = new Float64Array(durationS + 1);
  enrolls.forEach((n, s) => (everStarted[s] = (s > 0 ? everStarted[s - 1]! : 0) + n));
  const stillRunning = (s: number) => (everStarted[s]! > 0 ? Math.min(1, started[s]! / everStarted[s]!) : 0);
  /** Requests per second of a ticker of period `periodS` started with each host (first tick at the start, or one period later). */
  const tickerSeries = (periodS: number, afterPeriod: boolean): Float64Array => {
    const series = new Float64Array(durationS + 1);
    if (afterPeriod && !fleetdFresh) {
      for (let s = 0; s <= durationS; s++) series[s] = started[s]! / periodS;
      return series;
    }
    const period = Math.max(1, Math.round(periodS));
    const ticks = new Float64Array(durationS + 1);
    for (let s = 0; s <= durationS; s++) ticks[s] = enrolls[s]! + (s >= period ? ticks[s - period]! : 0);
    for (let s = 0; s <= durationS; s++) series[s] = (afterPeriod ? (s >= period ? ticks[s - period]! : 0) : ticks[s]!) * stillRunning(s);
    return series;
  };
  const fleetdSeries = orbitShare === 0
    ? []
    : FLEETD_TRAFFIC.map((t) => {
        const series = new Float64Array(durationS + 1);
        const share = t.desktop ? desktopShare : orbitShare;
        const ticker = t.periodS === null ? null : tickerSeries(t.periodS, t.firstTickAfterPeriod);
        const rotations = t.perRotation > 0 ? tickerSeries(TOKEN_ROTATION_PERIOD_S, true) : null;
        for (let s = 0; s <= durationS; s++) {
          series[s] = share * (enrolls[s]! * t.atStart + (ticker?.[s] ?? 0) + t.perRotation * (rotations?.[s] ?? 0));
        }
        return { endpoint: t.endpoint, series };
      });
  const fleetdRates = (s: number): Partial<Record<OrbitEndpointName, number>> =>
    Object.fromEntries(fleetdSeries.map(({ endpoint, series }) => [endpoint, round(series[s]!)]));

  const points: PlanPoint[] = [];
  for (let s = 0; s <= durationS; s++) {
    const hosts = started[s]!;
    const newHosts = enrolls[s]! + reenrolls[s]!;
    const policies = policiesAt(s);
    const steady = steadyStateRates(hosts, intervals, { buckets });
    let membershipWrites = 0;
    let rows = 0;
    let vitalsWriteRate = 0;
    let vitalsRows = 0;
    let labelQueries = 0;
    let logLines = 0;
    let logRows = 0;
    let writeRate = detailWrites[s]!;
    groups.forEach((g, gi) => {
      const scoped = policies.filter((p) => inScope(p, g));
      writeRate += writes[gi]![s]!;
      membershipWrites += writes[gi]![s]! * scoped.length;
      vitalsWriteRate += vitalsWrites[gi]![s]!;
      vitalsRows += vitalsWrites[gi]![s]! * g.vitals.total;
      const running = hosts * shares[gi]!;
      // A new host runs its labels at its first read, then every label cycle (steady share).
      const firstReads = newHosts * shares[gi]!;
      labelQueries += firstReads * g.labels + steadyLabelQueriesPerS(running, g.labels, labelCycle);
      logLines += running * g.reports.linesPerS;
      logRows += running * g.reports.rowsPerS + firstReads * g.reports.firstRunRows;
      for (const p of scoped) {
        const since = Math.max(0, Math.floor(p.since_s));
        rows += Math.min(running, prefix[gi]![s + 1]! - prefix[gi]![since]!);
      }
    });
    points.push({
      t: s,
      hosts,
      rates: {
        enroll: round(newHosts),
        config: round(steady.config + newHosts),
        read: round(steady.read),
        write: round(writeRate),
        log: round(steady.log + (scenario.agent.startup_status_lines > 0 ? newHosts : 0)),
        ...fleetdRates(s),
      },
      membership_writes_per_s: round(membershipWrites),
      membership_rows: Math.round(rows),
      vitals_writes_per_s: round(vitalsWriteRate),
      vitals_rows_per_s: round(vitalsRows),
      label_queries_per_s: round(labelQueries),
      log_result_lines_per_s: round(logLines),
      log_result_rows_per_s: round(logRows),
      policies: policies.length,
    });
  }

  const endpoints = planEndpoints(points[0]!.rates);
  const peakRates = Object.fromEntries(endpoints.map((e) => [e, Math.max(...points.map((p) => p.rates[e] ?? 0))])) as PlanRates;
  const finalPolicies = policiesAt(durationS);
  return {
    name: scenario.name,
    duration_s: scenario.duration / 1000,
    warmup_s: scenario.warmup / 1000,
    hosts: scenario.hosts,
    store: server?.store ?? 'external',
    strategies: server ? strategiesOf(server) : [],
    target: scenario.target?.url ?? null,
    groups: groups.map(({ vitals, labels, reports, agent, fleet_desktop, ...g }) => ({
      ...g,
      policies_in_scope: finalPolicies.filter((p) => inScope(p, { ...g, vitals, labels, reports, agent, fleet_desktop })).length,
      vitals_rows_per_write: vitals.total,
      software_rows_per_host: vitals.software,
      label_queries_per_host: labels,
      reports_in_scope: reports.reports,
      agent,
      fleet_desktop,
    })),
    cycle: { policy_interval_s: policyInterval, detail_interval_s: detailInterval, label_interval_s: labelInterval, jitter_buckets: buckets, mean_cycle_s: round(meanCycle), distributed_interval_s: di },
    events,
    points,
    final: points[points.length - 1]!,
    peak: {
      rates: peakRates,
      membership_writes_per_s: Math.max(...points.map((p) => p.membership_writes_per_s)),
      membership_rows: Math.max(...points.map((p) => p.membership_rows)),
      vitals_rows_per_s: Math.max(...points.map((p) => p.vitals_rows_per_s)),
      label_queries_per_s: Math.max(...points.map((p) => p.label_queries_per_s)),
      log_result_rows_per_s: Math.max(...points.map((p) => p.log_result_rows_per_s)),
    },
    mix: requestMix(points, scenario.warmup / 1000, scenario.duration / 1000),
    assumptions: [
      `reads: one per host every distributed_interval (${di}s), the server answering instantly (fixed-delay pacing adds the response time to each loop)`,
      `writes: a host writes when its policies are due — at its first read, then every ${policyInterval}s + its jitter bucket (${buckets} bucket${buckets === 1 ? '' : 's'} of a minute) + half a read interval`,
      'membership rows: one per (host, policy in scope) once the host has run that policy since it was created or edited; platform and team scoping as the server does',
      `vitals: a host's first write and then one write every detail_update_interval (${detailInterval}s) + its jitter carry its detail results; rows per write = the rows of the tables its platform's software and users queries read + 6 single-row vitals (+ osquery_flags and battery rows); the server stores only what changed`,
      `labels: every host runs ${BUILTIN_LABEL_COUNT} built-in labels plus the scenario's dynamic labels for its platform at its first read, then every label_update_interval (${labelInterval}s) + its jitter, in the read and write that carry its other due queries`,
      'scheduled queries (reports): a snapshot report logs one result line per interval carrying its rows; a differential one logs its rows once (the simulated tables do not change); rows per run = the largest row count of the tables it reads in the group (a query over a table the group lacks logs nothing); the log requests that carry them are not added to the log rate',
      `logs: a request at a logger_tls_period tick only when status lines are buffered (${scenario.agent.status_lines_per_hour}/h per host, Poisson) plus one after start-up`,
      'config: every config_refresh per host plus one at start; enroll: once per new host (and per re-enroll after a memory-store restart)',
      ...(orbitShare > 0
        ? [
            `fleetd (${Math.round(orbitShare * 100)}% of hosts run orbit, ${Math.round(desktopShare * 100)}% also Fleet Desktop): one request per host per ticker period — orbit/config 30 s, orbit/ping 5 min, device/{token}/ping 5 min, orbit/device_token 1 h 15 s (rotation), device/{token}/desktop 5 min + 1 per rotation, device/ping 10 s — plus orbit enroll, ping, device_token and Desktop's token check once at start (fleetd-orbit.md §1; simulator/orbit/timings.ts); ${fleetdFresh ? "fleetd_phase start: the 5 min and 1 h tickers first fire one period after a host's start" : 'fleetd_phase steady: the 5 min and 1 h tickers run at seeded phases from the start'}; orbit's retries, backoffs and re-enrolls after errors are not modelled`,
          ]
        : []),
      'not modelled: accelerate (5 s loops until a host\'s details arrive), retries after errors, team moves, the label scope of policies (their rows are counted for every host of their platform and team)',
    ],
  };
}

const round = (x: number): number => Math.round(x * 100) / 100;

/** The plan as a table for people: key moments (events, ramps) and evenly spaced samples. */
export function formatPlan(plan: ScenarioPlan): string {
  const lines: string[] = [];
  lines.push(`Plan: ${plan.name} — ${plan.hosts.toLocaleString('en-US')} hosts, ${plan.duration_s}s (warm-up ${plan.warmup_s}s), ${plan.target ? `target ${plan.target.join(', ')}` : `store ${plan.store}, count strategy ${plan.strategies.join(' then ')}`}`);
  lines.push(`Policy cycle: every ${plan.cycle.policy_interval_s}s + jitter (${plan.cycle.jitter_buckets} bucket(s)) ≈ ${plan.cycle.mean_cycle_s}s on average; reads every ${plan.cycle.distributed_interval_s}s.`);
  lines.push('');
  lines.push('Groups:');
  for (const g of plan.groups) lines.push(`  ${g.name.padEnd(26)} ${String(g.hosts).padStart(8)} hosts  ${g.platform} (${g.fleet_platform || '?'})${g.team ? `  team ${g.team}` : ''}${g.agent === 'fleetd' ? `  fleetd${g.fleet_desktop ? ' + Desktop' : ''}` : ''}  ${g.policies_in_scope} policies in scope at the end, ${g.vitals_rows_per_write} vitals rows per detail write (${g.software_rows_per_host} software), ${g.label_queries_per_host} label queries per label run, ${g.reports_in_scope} reports`);
  if (plan.events.length) {
    lines.push('');
    lines.push('Timeline:');
    for (const e of plan.events) lines.push(`  ${`${e.t}s`.padStart(6)}  ${e.kind.padEnd(18)} ${e.effect}`);
  }
  const moments = new Set<number>();
  const step = Math.max(1, Math.round(plan.duration_s / 10));
  for (let t = 0; t <= plan.duration_s; t += step) moments.add(t);
  for (const e of plan.events) {
    moments.add(Math.floor(e.t));
    moments.add(Math.min(Math.floor(plan.duration_s), Math.floor(e.t) + Math.ceil(plan.cycle.distributed_interval_s / 2)));
  }
  moments.add(Math.floor(plan.duration_s));
  const rows = [...moments].filter((t) => t >= 0 && t < plan.points.length).sort((a, b) => a - b).map((t) => plan.points[t]!);
  lines.push('');
  // fleetd's endpoints are summed per kind here (orbit/s, desktop/s); the mix below lists each one.
  const kinds = (['orbit', 'desktop'] as const).filter((kind) => planEndpoints(plan.final.rates).some((e) => ENDPOINT_INFO[e].kind === kind));
  const kindRate = (rates: PlanRates, kind: EndpointKind) => planEndpoints(rates).reduce((sum, e) => sum + (ENDPOINT_INFO[e].kind === kind ? rates[e]! : 0), 0);
  const header = ['t', 'hosts', 'enroll/s', 'config/s', 'read/s', 'write/s', 'log/s', ...kinds.map((k) => `${k}/s`), 'member writes/s', 'membership rows', 'vitals rows/s', 'label q/s', 'result rows/s', 'policies'];
  const table = rows.map((p) => [`${p.t}s`, fmt(p.hosts), fmt(p.rates.enroll), fmt(p.rates.config), fmt(p.rates.read), fmt(p.rates.write), fmt(p.rates.log), ...kinds.map((k) => fmt(round(kindRate(p.rates, k)))), fmt(p.membership_writes_per_s), fmt(p.membership_rows), fmt(p.vitals_rows_per_s), fmt(p.label_queries_per_s), fmt(p.log_result_rows_per_s), String(p.policies)]);
  table.push(['peak', fmt(plan.hosts), fmt(plan.peak.rates.enroll), fmt(plan.peak.rates.config), fmt(plan.peak.rates.read), fmt(plan.peak.rates.write), fmt(plan.peak.rates.log), ...kinds.map((k) => fmt(round(Math.max(...plan.points.map((p) => kindRate(p.rates, k)))))), fmt(plan.peak.membership_writes_per_s), fmt(plan.peak.membership_rows), fmt(plan.peak.vitals_rows_per_s), fmt(plan.peak.label_queries_per_s), fmt(plan.peak.log_result_rows_per_s), '']);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  lines.push(header.map((h, i) => h.padStart(widths[i]!)).join('  '));
  for (const r of table) lines.push(r.map((c, i) => c.padStart(widths[i]!)).join('  '));
  lines.push('');
  lines.push(`Request mix after the warm-up (${plan.warmup_s}s–${plan.duration_s}s), mean per endpoint:`);
  const mixRows = plan.mix.endpoints.map((e) => [e.endpoint, e.kind, e.label, fmt(e.rate_per_s), e.per_host.toFixed(4)]);
  mixRows.push(['all', '', '', fmt(plan.mix.total_per_s), plan.mix.total_per_host.toFixed(4)]);
  const mixHeader = ['endpoint', 'sent by', 'request', 'req/s', 'req/s/host'];
  const mixWidths = mixHeader.map((h, i) => Math.max(h.length, ...mixRows.map((r) => r[i]!.length)));
  const cell = (c: string, i: number) => (i >= 3 ? c.padStart(mixWidths[i]!) : c.padEnd(mixWidths[i]!));
  lines.push(`  ${mixHeader.map(cell).join('  ')}`);
  for (const r of mixRows) lines.push(`  ${r.map(cell).join('  ')}`);
  lines.push('');
  lines.push('Assumptions:');
  for (const a of plan.assumptions) lines.push(`  - ${a}`);
  return lines.join('\n');
}

function fmt(n: number): string {
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1);
}

/** The points of the measured window (after the warm-up; all points when the window is empty). */
function measuredPoints(points: readonly PlanPoint[], warmupS: number, durationS: number): readonly PlanPoint[] {
  const window = points.filter((p) => p.t >= warmupS && p.t < durationS);
  return window.length ? window : points;
}

/** Each endpoint's mean rate over the measured window, per host, and the total: the request mix. */
function requestMix(all: readonly PlanPoint[], warmupS: number, durationS: number): ScenarioPlan['mix'] {
  const points = measuredPoints(all, warmupS, durationS);
  const mean = (get: (p: PlanPoint) => number) => points.reduce((sum, p) => sum + get(p), 0) / points.length;
  const hosts = mean((p) => p.hosts);
  const perHost = (rate: number) => (hosts > 0 ? Math.round((rate / hosts) * 1e5) / 1e5 : 0);
  const endpoints = planEndpoints(all[0]!.rates).map((endpoint) => {
    const rate = mean((p) => p.rates[endpoint] ?? 0);
    return { endpoint, ...ENDPOINT_INFO[endpoint], rate_per_s: round(rate), per_host: perHost(rate) };
  });
  const total = endpoints.reduce((sum, e) => sum + mean((p) => p.rates[e.endpoint] ?? 0), 0);
  return { endpoints, total_per_s: round(total), total_per_host: perHost(total) };
}

/** The plan's means over the measured window (after the warm-up), as result.json keeps them. */
export function planSummary(plan: ScenarioPlan): PlanSummary {
  const points = measuredPoints(plan.points, plan.warmup_s, plan.duration_s);
  const mean = (get: (p: PlanPoint) => number) => round(points.reduce((sum, p) => sum + get(p), 0) / points.length);
  return {
    rates: Object.fromEntries(planEndpoints(plan.points[0]!.rates).map((e) => [e, mean((p) => p.rates[e] ?? 0)])),
    membership_writes_per_s: mean((p) => p.membership_writes_per_s),
    membership_rows: plan.final.membership_rows,
    vitals_rows_per_s: mean((p) => p.vitals_rows_per_s),
    label_queries_per_s: mean((p) => p.label_queries_per_s),
    log_result_rows_per_s: mean((p) => p.log_result_rows_per_s),
  };
}
