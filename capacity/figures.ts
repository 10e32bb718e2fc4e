/**
 * The plan's figures, one function each: `figure(context, figures so far) → Figure`. `PLAN_FIGURES`
 * lists them in the order they are computed (a figure may use the ones above it: instances need the
 * CPU, the database load needs the write rate); planCapacity (model.ts) walks the table. Every figure
 * carries its source: 'model: …' (interval arithmetic), 'measured: sweep.json …' (calibrated) or
 * 'default: … (unmeasured)'. Pure.
 */
import { STATS_STRATEGIES, type StatsStrategyName } from '../contract/vocabulary.js';
import { formatInteger, formatNumber } from '../lib/format.js';
import { steadyStateRates } from '../scenarios/traffic.js';
import { BUILTIN_LABEL_QUERIES_PER_HOST, snapshotResultsPerS, steadyLabelQueriesPerS } from '../scenarios/library-traffic.js';
import { mixOf, requestMix, type SweepCalibration } from './calibrate.js';
import { fleetRateNote, fleetReferenceFor } from './fleet-reference.js';
import { formatMix, stepRange } from './format.js';
import { BUILTIN_LABEL_MEMBERSHIPS_PER_HOST, UNMEASURED_COSTS, type CapacityPlan, type Figure, type PlanInput } from './plan-types.js';
import { FLEETD_PLAN_ENDPOINTS, PLAN_ENDPOINTS, type PlanEndpoint, type SweepDocument } from './sweep-document.js';
import { FLEETD_TRAFFIC, fleetdSteadyRatePerHost } from '../scenarios/fleetd-traffic.js';

/** What every figure may read; figures add to `warnings`. */
export interface PlanContext {
  input: PlanInput;
  sweep: SweepDocument | undefined;
  /** The sweep's file name, as figure sources cite it. */
  sweepFile: string;
  calibration: SweepCalibration | undefined;
  warnings: string[];
}

export type PlanFigures = Pick<
  CapacityPlan,
  'requestRates' | 'membershipRowsPerS' | 'membershipRows' | 'aggregation' | 'labelQueriesPerS' | 'scheduledResults' | 'serverCpuCores' | 'serverInstances' | 'serverRssMbPerInstance' | 'database'
>;

/** The figures computed so far, in table order. */
export type FiguresSoFar = Partial<PlanFigures>;

type FigureRow = { [K in keyof PlanFigures]: { key: K; figure: (context: PlanContext, done: FiguresSoFar) => PlanFigures[K] } }[keyof PlanFigures];

function need<K extends keyof PlanFigures>(done: FiguresSoFar, key: K): PlanFigures[K] {
  const value = done[key];
  if (value === undefined) throw new Error(`capacity plan: figure ${key} is needed before PLAN_FIGURES computes it`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Request rates

/** Model-only request rates (req/s), the formulas the table prints: steady state, jitter ignored (see the assumptions). */
export function modelRequestRates(input: PlanInput): Record<PlanEndpoint, number> {
  return steadyStateRates(input.hosts, input, null);
}

const INTERVAL_NAME: Record<PlanEndpoint, string> = {
  read: 'distributed_interval',
  write: 'policy_update_interval',
  config: 'config_refresh',
  log: 'logger_tls_period',
};

function intervalOf(endpoint: PlanEndpoint, input: PlanInput): number {
  switch (endpoint) {
    case 'read':
      return input.distributedIntervalS;
    case 'write':
      return Math.min(input.policyIntervalS, input.detailIntervalS);
    case 'config':
      return input.configRefreshS;
    case 'log':
      return input.loggerTlsPeriodS;
  }
}

export function requestRatesFigure({ input, calibration, sweepFile }: PlanContext): PlanFigures['requestRates'] {
  const model = modelRequestRates(input);
  const requestRates = {} as PlanFigures['requestRates'];
  let totalRate = 0;
  for (const endpoint of PLAN_ENDPOINTS) {
    const interval = intervalOf(endpoint, input);
    const formula =
      endpoint === 'log'
        ? `model: hosts × ${input.logSendFraction} / ${INTERVAL_NAME.log} (${input.loggerTlsPeriodS} s)`
        : `model: hosts / ${INTERVAL_NAME[endpoint]} (${interval} s)`;
    const measured = calibration?.perHostPerInterval[endpoint];
    let value = model[endpoint];
    let source = formula;
    if (measured && measured.value > 0) {
      value = (input.hosts / interval) * measured.value;
      source = `measured: ${sweepFile} ${stepRange(measured.fit.steps)} (${formatNumber(measured.value, 3)} requests per host per interval) × hosts / ${INTERVAL_NAME[endpoint]}`;
    }
    requestRates[endpoint] = { value, unit: 'req/s', source };
    totalRate += value;
  }
  requestRates.read.fleet = `Fleet published: 99.7% of distributed/read answers are empty (ADR 0011)`;
  // fleetd hosts add orbit's and Fleet Desktop's tickers (the formulas osqsim scenario plan uses).
  const orbitHosts = input.hosts * input.fleetdShare;
  const desktopHosts = orbitHosts * input.fleetDesktopShare;
  let fleetdRate = 0;
  if (orbitHosts > 0) {
    for (const endpoint of FLEETD_PLAN_ENDPOINTS) {
      const traffic = FLEETD_TRAFFIC.find((t) => t.endpoint === endpoint)!;
      const perHost = fleetdSteadyRatePerHost(traffic);
      const hosts = traffic.desktop ? desktopHosts : orbitHosts;
      requestRates[endpoint] = {
        value: hosts * perHost,
        unit: 'req/s',
        source: `model: ${traffic.desktop ? 'Fleet Desktop hosts' : 'fleetd hosts'} (${formatInteger(hosts)}) × ${formatNumber(perHost, 5)} (${traffic.source})`,
      };
      fleetdRate += hosts * perHost;
    }
  }
  requestRates.total = {
    value: totalRate + fleetdRate,
    unit: 'req/s',
    source: fleetdRate > 0 ? `sum of the endpoints above: osquery ${formatNumber(totalRate, 1)} + fleetd ${formatNumber(fleetdRate, 1)}` : 'sum of the endpoints above',
    fleet: fleetRateNote(input.hosts, input.fleetdShare, input.fleetDesktopShare),
  };
  return requestRates;
}

// ---------------------------------------------------------------------------------------------
// Membership

export function modelMembershipRowsPerS(input: PlanInput): number {
  return (input.hosts * input.policies) / input.policyIntervalS;
}

export function membershipRowsPerSFigure({ input, calibration, sweepFile }: PlanContext): Figure {
  const membershipModel = modelMembershipRowsPerS(input);
  const membershipCal = calibration?.membershipPerHostPolicy;
  return membershipCal && membershipCal.value > 0
      ? {
          value: membershipModel * membershipCal.value,
          unit: 'rows/s',
          source: `measured: ${sweepFile} ${stepRange(membershipCal.fit.steps)} (${formatNumber(membershipCal.value, 3)} × model) × hosts × policies / policy_update_interval`,
        }
      : {
          value: membershipModel,
          unit: 'rows/s',
          source: `model: hosts × policies / policy_update_interval (${input.policyIntervalS} s)`,
        };
}

export function membershipRowsFigure({ input }: PlanContext): Figure {
  return {
    value: input.hosts * input.policies,
    unit: 'rows',
    source: 'model: hosts × policies in scope (one row per host and policy)',
    fleet: 'Fleet published: 600k rows (100k hosts × 6 policies) made its hourly count run 55–210 s (GH#49866)',
  };
}

// ---------------------------------------------------------------------------------------------
// Aggregation

export function aggregationFigure({ input, calibration, sweepFile }: PlanContext): PlanFigures['aggregation'] {
  const rows = input.hosts * input.policies;
  const scannedPerRun = (strategy: StatsStrategyName): number => {
    // cron counts global policies per team (inherited) and overall: two passes when there are teams.
    if (strategy === 'cron') return input.teams > 0 ? 2 * rows : rows;
    return rows;
  };
  const aggregation = {} as Record<StatsStrategyName, Figure>;
  for (const strategy of STATS_STRATEGIES) {
    const fit = calibration?.aggregation[strategy];
    const what =
      strategy === 'cron'
        ? `per run, every ${input.statsIntervalS} s`
        : strategy === 'realtime'
          ? 'per API read of all counts'
          : 'per reconcile (deltas in between cost O(changes))';
    if (fit) {
      aggregation[strategy] = {
        value: fit.intercept + fit.slope * rows,
        unit: 'ms',
        source: `measured: ${sweepFile} ${stepRange(fit.steps)} (fit ${formatNumber(fit.intercept, 1)} ms + ${formatNumber(fit.slope * 1e6, 1)} ms per 1M rows) at ${formatInteger(rows)} rows, ${what}`,
      };
    } else {
      aggregation[strategy] = {
        value: (scannedPerRun(strategy) / UNMEASURED_COSTS.scanRowsPerS) * 1000,
        unit: 'ms',
        source: `default: ${formatInteger(scannedPerRun(strategy))} rows scanned at ${formatInteger(UNMEASURED_COSTS.scanRowsPerS)} rows/s (unmeasured), ${what}`,
      };
    }
  }
  aggregation.cron.fleet = 'Fleet published: 55–210 s per hourly run at 600k rows with INSERT…SELECT locks (GH#49866); <2 s per policy SELECT at 10 teams × 10k hosts (PR GH#18720)';
  return aggregation;
}

// ---------------------------------------------------------------------------------------------
// Labels and scheduled queries (the formulas `osqsim scenario plan` uses, scenarios/library-traffic.ts)

export function labelQueriesPerSFigure({ input }: PlanContext): Figure {
  const perHost =
    input.labelsPerHost === BUILTIN_LABEL_QUERIES_PER_HOST
      ? `${input.labelsPerHost} (default: Fleet's ${BUILTIN_LABEL_QUERIES_PER_HOST} built-in labels, platform '' so LabelQueriesForHost sends all of them to every host)`
      : `${input.labelsPerHost} (--labels)`;
  return {
    value: steadyLabelQueriesPerS(input.hosts, input.labelsPerHost, input.labelIntervalS),
    unit: 'queries/s',
    source: `model: hosts × label queries per host ${perHost} / label_update_interval (${input.labelIntervalS} s)`,
  };
}

export function scheduledResultsFigure({ input }: PlanContext): PlanFigures['scheduledResults'] {
  const perHost = snapshotResultsPerS(input.queryIntervalS, input.rowsPerResult);
  const queries =
    input.scheduledQueries === 0
      ? '0 scheduled queries (default: an empty schedule logs no results; set --scheduled-queries)'
      : `${input.scheduledQueries} scheduled snapshot queries`;
  return {
    linesPerS: {
      value: input.hosts * input.scheduledQueries * perHost.linesPerS,
      unit: 'lines/s',
      source: `model: hosts × ${queries} / query interval (${input.queryIntervalS} s): one result line per run`,
    },
    rowsPerS: {
      value: input.hosts * input.scheduledQueries * perHost.rowsPerS,
      unit: 'rows/s',
      source: `model: result lines/s × ${input.rowsPerResult} rows per result (--rows-per-result); Fleet stores at most 1,000 rows per query`,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Server CPU, instances, memory

export function serverCpuCoresFigure({ input, sweep, calibration, sweepFile, warnings }: PlanContext, done: FiguresSoFar): Figure {
  const requestRates = need(done, 'requestRates');
  // The sweep's CPU line is over osquery's requests; fleetd's are added below at their own cost.
  const totalRate = PLAN_ENDPOINTS.reduce((sum, e) => sum + requestRates[e].value, 0);
  let cpuMsPerS = 0;
  const cpuSources: string[] = [];
  const probe = sweep?.cpu_probe;
  const probeCosts = calibration ? Object.fromEntries(Object.entries(calibration.cpuMsPerRequest).filter(([, c]) => c.probe)) : {};
  const stepCosts = calibration ? Object.values(calibration.cpuMsPerRequest).some((c) => !c.probe) : false;
  if (calibration?.cpuFit && sweep && !stepCosts) {
    // The whole-server fit (a + b·requests/s) carries the load regime of the sweep; it holds for the sweep's
    // request mix. The CPU probe's per-endpoint costs (measured one endpoint at a time) re-weight b for this
    // plan's mix: b × Σ plan share × cost ÷ Σ sweep share × cost.
    const sweepMix = requestMix(sweep);
    const planMix = mixOf(Object.fromEntries(PLAN_ENDPOINTS.map((e) => [e, requestRates[e].value])) as Record<PlanEndpoint, number>);
    const fitText = `measured: ${sweepFile} ${stepRange(calibration.cpuFit.steps)} (fit ${formatNumber(calibration.cpuFit.intercept, 1)} CPU-ms/s + ${formatNumber(calibration.cpuFit.slope, 3)} CPU-ms per request, on the sweep's mix ${formatMix(sweepMix)})`;
    let adjustment = 1;
    if (Object.keys(probeCosts).length > 0) {
      const probed = probeCosts as Partial<Record<PlanEndpoint, { value: number }>>;
      const sweepAverage = PLAN_ENDPOINTS.reduce((sum, e) => sum + sweepMix[e] * (probed[e]?.value ?? 0), 0) / PLAN_ENDPOINTS.reduce((sum, e) => sum + (probed[e] ? sweepMix[e] : 0), 0);
      const cost = (e: PlanEndpoint): number => probed[e]?.value ?? sweepAverage;
      const planAverage = PLAN_ENDPOINTS.reduce((sum, e) => sum + planMix[e] * cost(e), 0);
      if (sweepAverage > 0 && Number.isFinite(sweepAverage)) adjustment = planAverage / sweepAverage;
      cpuSources.push(
        `${fitText} × ${formatNumber(adjustment, 3)} for this plan's mix ${formatMix(planMix)}, from the CPU probe's relative costs (` +
          PLAN_ENDPOINTS.filter((e) => probed[e]).map((e) => `${e} ${formatNumber(probed[e]!.value, 3)}`).join(', ') +
          ` CPU-ms/req at ${probe?.rate_per_s} req/s)`,
      );
    } else {
      cpuSources.push(fitText);
      if (Math.abs(sweepMix.write - planMix.write) > 0.05) {
        warnings.push(
          `server CPU: the sweep's requests were ${formatMix(sweepMix)} but this plan's are ${formatMix(planMix)}, and the sweep has no CPU probe; a write costs more than a read, so re-run the sweep with its CPU probe (the default)`,
        );
      }
    }
    cpuMsPerS = calibration.cpuFit.intercept + calibration.cpuFit.slope * adjustment * totalRate;
  } else {
    if (calibration && calibration.idleCpuMsPerS !== null) {
      cpuMsPerS += calibration.idleCpuMsPerS;
      cpuSources.push(`idle ${formatNumber(calibration.idleCpuMsPerS, 1)} CPU-ms/s measured: ${sweepFile} CPU probe`);
    }
    for (const endpoint of PLAN_ENDPOINTS) {
      const measured = calibration?.cpuMsPerRequest[endpoint];
      let perRequest = UNMEASURED_COSTS.cpuMsPerRequest[endpoint];
      if (endpoint === 'write' && !measured) perRequest += UNMEASURED_COSTS.cpuMsPerResultRow * input.policies;
      if (measured) perRequest = measured.value;
      cpuMsPerS += requestRates[endpoint].value * perRequest;
      if (requestRates[endpoint].value > 0) {
        cpuSources.push(
          measured
            ? `${endpoint} ${formatNumber(perRequest, 3)} CPU-ms/req measured: ${sweepFile} ${measured.probe ? `CPU probe (${probe?.rate_per_s} req/s of ${endpoint} alone, above idle)` : stepRange(measured.steps)}`
            : `${endpoint} ${formatNumber(perRequest, 3)} CPU-ms/req default (unmeasured)`,
        );
      }
    }
  }
  const fleetdSources: string[] = [];
  for (const endpoint of FLEETD_PLAN_ENDPOINTS) {
    const rate = requestRates[endpoint]?.value ?? 0;
    if (rate <= 0) continue;
    const perRequest = UNMEASURED_COSTS.fleetdCpuMsPerRequest[endpoint];
    cpuMsPerS += rate * perRequest;
    fleetdSources.push(`${endpoint} ${formatNumber(perRequest, 3)}`);
  }
  if (fleetdSources.length > 0) {
    cpuSources.push(`+ fleetd (orbit and Fleet Desktop) at ${fleetdSources.join(', ')} CPU-ms/req default (unmeasured: in proportion to osquery's as osqsim bench checkin measured them)`);
    if (sweep && sweep.steps.some((step) => FLEETD_PLAN_ENDPOINTS.some((e) => (step.endpoints[e]?.count ?? 0) > 0))) {
      warnings.push("server CPU: the sweep's hosts ran fleetd, so its CPU line already carries fleetd's requests; the plan adds them again at their default costs (an upper bound): sweep an osquery-only scenario to calibrate osquery's costs");
    }
  }
  const cores = cpuMsPerS / 1000;
  return { value: cores, unit: 'cores', source: calibration?.cpuFit && sweep && !stepCosts ? cpuSources.join('; ') : `Σ rate × CPU-ms per request: ${cpuSources.join('; ')}` };
}

export function serverInstancesFigure({ input }: PlanContext, done: FiguresSoFar): Figure {
  const cores = need(done, 'serverCpuCores').value;
  const perInstance = Math.min(input.instanceCpus, 1) * input.targetCpu;
  const instances = Math.max(1, Math.ceil(cores / perInstance - 1e-9));
  const reference = fleetReferenceFor(input.hosts);
  return {
    value: instances,
    unit: 'instances',
    source: `model: ceil(${formatNumber(cores, 2)} cores / (min(${input.instanceCpus}, 1) CPU × ${formatNumber(input.targetCpu * 100, 0)}% target))`,
    fleet: `${reference.source}: ${reference.servers} for ${reference.tier}`,
  };
}

export function serverRssFigure({ input, calibration, sweepFile }: PlanContext, done: FiguresSoFar): Figure {
  const instances = need(done, 'serverInstances').value;
  const rss = calibration?.rssFit
    ? {
        value: calibration.rssFit.intercept + (calibration.rssFit.slope * input.hosts) / instances,
        source: `measured: ${sweepFile} ${stepRange(calibration.rssFit.steps)} (fit ${formatNumber(calibration.rssFit.intercept, 0)} MB + ${formatNumber(calibration.rssFit.slope * 1024, 2)} KB per host), hosts split over ${instances} instances`,
      }
    : {
        value: UNMEASURED_COSTS.rssBaseMb + (UNMEASURED_COSTS.rssPerHostKb * input.hosts) / 1024 / instances,
        source: `default: ${UNMEASURED_COSTS.rssBaseMb} MB + ${UNMEASURED_COSTS.rssPerHostKb} KB per host (unmeasured), hosts split over ${instances} instances`,
      };
  return { value: rss.value, unit: 'MB', source: rss.source, fleet: 'Fleet published: 4 GB tasks, 4.8% memory used at 100k over 25 tasks (493loadtest)' };
}

// ---------------------------------------------------------------------------------------------
// Database write load

/**
 * A host's vitals per detail write when the fleet is not described: Fleet's production macOS average
 * of 453 software rows (osquery-perf softwaredb.go, reference fleet-host-vitals.md §1.6), osquery-perf's
 * 20 users, and 6 single-row vitals (os_version, osquery_info, system_info, uptime, disk, interface).
 */
export const DEFAULT_VITALS_PER_HOST = Object.freeze({ software: 453, users: 20, singleRows: 6 });

/**
 * What the server writes per detail write when nothing in the software list changed (the common
 * hour): the hosts row, the disk row and the users upsert, in 2 per-host statements (hosts UPDATE,
 * users clean-up UPDATE) besides the batch's shared ones (server/store/mysql/vitals.ts; bench/vitals.ts
 * measured 3.2 statements per write with the policy results, 2026-12-05).
 */
const VITALS_STATEMENTS_PER_WRITE = 2;

/**
 * What the server writes per label run (server/store/mysql/labels.ts recordLabelResults, after Fleet's
 * RecordLabelQueryExecutions): one multi-row label_membership upsert of the labels the host matches and
 * one hosts.label_updated_at update; the DELETE of labels it left is rare in a steady hour.
 */
const LABEL_STATEMENTS_PER_RUN = 2;

export function databaseFigure({ input }: PlanContext, done: FiguresSoFar): PlanFigures['database'] {
  const membershipRowsPerS = need(done, 'membershipRowsPerS');
  const instances = need(done, 'serverInstances').value;
  const reference = fleetReferenceFor(input.hosts);
  const writes = need(done, 'requestRates').write.value;
  const seenRows = input.hosts / Math.max(input.distributedIntervalS, input.seenFlushIntervalS);
  const upsertStatements = membershipRowsPerS.value / 1000;
  // Group commit: one transaction per batch; at most one per ingest delay (5 ms) per instance.
  const seenStatements = Math.max(seenRows / 1000, instances / input.seenFlushIntervalS);
  const detailWrites = input.hosts / input.detailIntervalS;
  const vitals = DEFAULT_VITALS_PER_HOST;
  const vitalsRowsPerS = detailWrites * (vitals.software + vitals.users + vitals.singleRows);
  const vitalsWrittenPerS = detailWrites * (vitals.users + 2);
  const labelRuns = input.hosts / input.labelIntervalS;
  const labelRows = labelRuns * (input.labelMemberships + 1);
  const statementsPerS =
    upsertStatements + Math.min(writes, 200 * instances) + seenStatements + detailWrites * VITALS_STATEMENTS_PER_WRITE + labelRuns * LABEL_STATEMENTS_PER_RUN;
  const database = {
    membershipUpsertRowsPerS: { ...membershipRowsPerS, source: `= membership rows/s (${membershipRowsPerS.source})` },
    hostUpdateRowsPerS: { value: writes, unit: 'rows/s', source: 'model: one hosts.policy_updated_at update per write request' },
    seenTimeRowsPerS: {
      value: seenRows,
      unit: 'rows/s',
      source: `model: hosts / max(distributed_interval, seen flush ${input.seenFlushIntervalS} s): each host once per flush it was seen in`,
      fleet: 'Fleet published: INSERT INTO host_seen_times batches are the 2nd heaviest writer SQL at 100k (493loadtest)',
    },
    labelRowsPerS: {
      value: labelRows,
      unit: 'rows/s',
      source: `model: hosts / label_update_interval (${input.labelIntervalS} s) × (${input.labelMemberships} label_membership upserts${input.labelMemberships === BUILTIN_LABEL_MEMBERSHIPS_PER_HOST ? " (default: at most 3 of Fleet's built-in labels match a host)" : ' (--label-memberships)'} + 1 hosts.label_updated_at update) per label run`,
    },
    vitalsRowsPerS: {
      value: vitalsRowsPerS,
      unit: 'rows/s',
      source: `default: hosts / detail_update_interval (${input.detailIntervalS} s) × (${vitals.software} software + ${vitals.users} users + ${vitals.singleRows} single-row vitals) per detail write (Fleet's production macOS average and osquery-perf's users; unmeasured for your fleet). Only changes are written: an unchanged software list writes nothing`,
      fleet: 'Fleet (derived from its load test and code): about 640–780 detail result sets/s and 12k–68k software rows/s parsed at 100k hosts (fleet-host-vitals.md §5.2)',
    },
    statementsPerS: {
      value: statementsPerS,
      unit: 'statements/s',
      source: `model: 1,000-row multi-row upserts + one group-commit transaction per batch (≤ 200/s per instance at 5 ms) + last-seen batches + ${VITALS_STATEMENTS_PER_WRITE} per detail write (hosts and users updates; software unchanged) + ${LABEL_STATEMENTS_PER_RUN} per label run (membership upsert, hosts update)`,
    },
    rowsWrittenPerS: {
      value: membershipRowsPerS.value + writes + seenRows + vitalsWrittenPerS + labelRows,
      unit: 'rows/s',
      source: `sum of membership upserts, host updates, last-seen rows, label rows and the vitals a steady hour writes (${vitals.users} users + disk + hosts row per detail write); scheduled-query rows (query_results, capped per query) not included`,
      fleet: `Fleet published: writer 2,507 write IOPS avg (max 3,560), CPU 22% at 100k hosts (493loadtest); ${reference.database} for ${reference.tier}`,
    },
  };

  return database;
}

/** Every figure of the plan, in the order they are computed. */
export const PLAN_FIGURES: readonly FigureRow[] = [
  { key: 'requestRates', figure: requestRatesFigure },
  { key: 'membershipRowsPerS', figure: membershipRowsPerSFigure },
  { key: 'membershipRows', figure: membershipRowsFigure },
  { key: 'aggregation', figure: aggregationFigure },
  { key: 'labelQueriesPerS', figure: labelQueriesPerSFigure },
  { key: 'scheduledResults', figure: scheduledResultsFigure },
  { key: 'serverCpuCores', figure: serverCpuCoresFigure },
  { key: 'serverInstances', figure: serverInstancesFigure },
  { key: 'serverRssMbPerInstance', figure: serverRssFigure },
  { key: 'database', figure: databaseFigure },
];
