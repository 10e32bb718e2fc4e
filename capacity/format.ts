/**
 * The capacity plan as text: the figure table with sources and Fleet's column, the assumptions and
 * warnings; the plan as JSON; and the small phrases figure sources share (step ranges, request mixes).
 */
import { formatInteger, formatNumber } from '../lib/format.js';
import type { Mix } from './calibrate.js';
import type { CapacityPlan, Figure } from './plan-types.js';
import { FLEETD_PLAN_ENDPOINTS, PLAN_ENDPOINTS } from './sweep-document.js';
import { ENDPOINT_INFO } from '../contract/vocabulary.js';

/** `[2, 3, 4]` → `steps 2–4`; `[1, 3]` → `steps 1, 3`. */
export function stepRange(steps: readonly number[]): string {
  if (steps.length === 0) return 'none';
  if (steps.length === 1) return `step ${steps[0]}`;
  const sorted = [...steps].sort((a, b) => a - b);
  const contiguous = sorted.every((value, i) => i === 0 || value === sorted[i - 1]! + 1);
  return contiguous ? `steps ${sorted[0]}–${sorted[sorted.length - 1]}` : `steps ${sorted.join(', ')}`;
}

/** `90% read, 2.5% write` — shares under 0.05% are left out. */
export function formatMix(mix: Mix): string {
  return PLAN_ENDPOINTS.filter((e) => mix[e] >= 0.0005)
    .map((e) => `${formatNumber(mix[e] * 100, mix[e] < 0.01 ? 1 : 0)}% ${e}`)
    .join(', ');
}

function fmtFigure(figure: Figure): string {
  const digits = figure.value >= 100 || figure.unit === 'instances' || figure.unit === 'rows' ? 0 : figure.value >= 10 ? 1 : 2;
  return `${formatNumber(figure.value, digits)} ${figure.unit}`;
}

/** The plan as rows: figure, value, source, Fleet published. */
export function planRows(plan: CapacityPlan): Array<[string, Figure]> {
  // fleetd's endpoints (orbit, Fleet Desktop) by their route, only when the fleet has fleetd hosts.
  const fleetd = FLEETD_PLAN_ENDPOINTS.flatMap((e): Array<[string, Figure]> => {
    const figure = plan.requestRates[e];
    return figure === undefined ? [] : [[ENDPOINT_INFO[e].label.replace(/^\S+ \/api\/(latest\/)?fleet\//, ''), figure]];
  });
  return [
    ['distributed/read', plan.requestRates.read],
    ['distributed/write', plan.requestRates.write],
    ['config', plan.requestRates.config],
    ['log', plan.requestRates.log],
    ...fleetd,
    [fleetd.length > 0 ? 'all requests (osquery + fleetd)' : 'all osquery requests', plan.requestRates.total],
    ['membership writes', plan.membershipRowsPerS],
    ['policy_membership rows', plan.membershipRows],
    ['aggregation: cron', plan.aggregation.cron],
    ['aggregation: realtime', plan.aggregation.realtime],
    ['aggregation: incremental', plan.aggregation.incremental],
    ['label queries', plan.labelQueriesPerS],
    ['scheduled-query results', plan.scheduledResults.linesPerS],
    ['scheduled-query rows', plan.scheduledResults.rowsPerS],
    ['server CPU', plan.serverCpuCores],
    ['server instances', plan.serverInstances],
    ['server RSS per instance', plan.serverRssMbPerInstance],
    ['DB: membership upserts', plan.database.membershipUpsertRowsPerS],
    ['DB: host updates', plan.database.hostUpdateRowsPerS],
    ['DB: last-seen rows', plan.database.seenTimeRowsPerS],
    ['DB: label rows', plan.database.labelRowsPerS],
    ['DB: vitals rows carried', plan.database.vitalsRowsPerS],
    ['DB: statements', plan.database.statementsPerS],
    ['DB: rows written', plan.database.rowsWrittenPerS],
  ];
}

export function formatPlan(plan: CapacityPlan): string {
  const input = plan.input;
  const lines: string[] = [];
  lines.push(
    `Capacity plan for ${formatInteger(input.hosts)} hosts${input.fleetdShare > 0 ? ` (${formatNumber(input.fleetdShare * 100, 0)}% fleetd)` : ''}, ${input.policies} policies each, ${input.teams} teams; ` +
      `distributed_interval ${input.distributedIntervalS} s, policy interval ${input.policyIntervalS} s; ` +
      `instances of ${input.instanceCpus} CPU at ${formatNumber(input.targetCpu * 100, 0)}% target`,
  );
  lines.push(
    plan.measured
      ? `Calibrated from ${plan.sweepFile}.`
      : 'UNMEASURED: no --from sweep.json was given; CPU, memory and aggregation figures use built-in defaults. Run `osqsim capacity sweep` and pass --from.',
  );
  lines.push('');
  const rows = planRows(plan).map(([name, figure]) => [name, fmtFigure(figure), figure.source, figure.fleet ?? '']);
  const header = ['figure', 'value', 'source', 'Fleet published (sanity)'];
  const widths = [0, 1].map((col) => Math.max(header[col]!.length, ...rows.map((row) => row[col]!.length)));
  const pad = (text: string, width: number): string => text + ' '.repeat(Math.max(0, width - text.length));
  lines.push(`${pad(header[0]!, widths[0]!)}  ${pad(header[1]!, widths[1]!)}  ${header[2]}`);
  lines.push(`${'-'.repeat(widths[0]!)}  ${'-'.repeat(widths[1]!)}  ${'-'.repeat(40)}`);
  for (const row of rows) {
    lines.push(`${pad(row[0]!, widths[0]!)}  ${pad(row[1]!, widths[1]!)}  ${row[2]}`);
    if (row[3]) lines.push(`${' '.repeat(widths[0]! + widths[1]! + 4)}↳ ${row[3]}`);
  }
  lines.push('');
  lines.push(`Fleet's reference architecture for ${plan.fleetReference.tier}: ${plan.fleetReference.servers}; ${plan.fleetReference.database} (${plan.fleetReference.source})`);
  lines.push('');
  lines.push('Assumptions:');
  for (const assumption of plan.assumptions) lines.push(`  - ${assumption}`);
  for (const warning of plan.warnings) lines.push(`WARNING: ${warning}`);
  return lines.join('\n');
}

/** The plan as JSON-ready data (figures keep value, unit, source, fleet). */
export function planToJson(plan: CapacityPlan): Record<string, unknown> {
  return {
    schema: 'osqsim.capacity-plan/v1',
    ...plan,
  };
}
