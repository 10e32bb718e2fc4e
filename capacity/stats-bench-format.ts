/** `osqsim bench stats`'s readable table. */
import type { BenchDocument } from './bench-document.js';
import type { StatsBenchParams, StatsBenchResults, Summary, WriteLoad } from './stats-bench-results.js';

export function formatStatsBench(doc: BenchDocument<StatsBenchResults, StatsBenchParams>): string {
  const { results, params, machine: m } = doc;
  const ms = (s: Summary | null | undefined): string => (s ? `${s.median} (${s.min}–${s.max})` : '—');
  const lines = [
    `osqsim bench stats — ${params.hosts} hosts × ${params.policies} global policies, ${params.teams} teams = ${params.membership_rows.toLocaleString('en')} membership rows`,
    `machine: ${m.cpus} × ${m.cpu_model}, ${m.memory_gb} GiB, ${m.node}; ${m.mysql_version}, innodb_buffer_pool_size ${((m.innodb_buffer_pool_bytes ?? 0) / 1024 ** 2).toFixed(0)} MiB`,
    results.seed.reused
      ? 'seed: reused the existing data'
      : `seed: ${results.seed.rows.toLocaleString('en')} rows in ${results.seed.seconds} s (${results.seed.rows_per_s.toLocaleString('en')} rows/s)`,
    `floor: bare SELECT … GROUP BY policy_id, all rounds: ${ms(results.floor_group_by_ms)} ms`,
    '',
    '| strategy | aggregation ms (median, min–max) | bare GROUP BY ms, same rounds | ÷ floor | rows scanned | API read ms | freshness: API ms | freshness: policy_stats ms | write p99 ms without | write p99 ms during | p99 ratio |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [name, r] of Object.entries(results.strategies)) {
    lines.push(
      `| ${name} | ${ms(r.aggregation_ms)} | ${ms(r.floor_ms)} | ${r.aggregation_vs_floor} | ${r.rows_scanned.toLocaleString('en')} | ${ms(r.read_ms)} | ${ms(r.freshness_api_ms)} | ${ms(r.freshness_store_ms)} | ${r.write_without.p99_ms} | ${r.write_during.p99_ms} | ${r.write_p99_ratio} |`,
    );
  }
  lines.push('', 'freshness:');
  for (const [name, r] of Object.entries(results.strategies)) lines.push(`  ${name}: ${r.freshness_note}`);
  lines.push('', 'writes (open loop, latency from intended send time; p50/p99 = median over rounds, per-round p99 in brackets):');
  for (const [name, r] of Object.entries(results.strategies)) {
    const rounds = (load: WriteLoad): string => load.rounds.map((round) => round.p99).join(', ');
    lines.push(
      `  ${name}: without ${r.write_without.completed} req, ${r.write_without.rate_per_s}/s, p50 ${r.write_without.p50_ms} p99 ${r.write_without.p99_ms} [${rounds(r.write_without)}] max ${r.write_without.max_ms}, non-2xx ${r.write_without.non_2xx}`,
      `  ${' '.repeat(name.length)}  during  ${r.write_during.completed} req, ${r.write_during.rate_per_s}/s, p50 ${r.write_during.p50_ms} p99 ${r.write_during.p99_ms} [${rounds(r.write_during)}] max ${r.write_during.max_ms}, non-2xx ${r.write_during.non_2xx}, ${r.write_during.aggregations} aggregation runs overlapped`,
    );
  }
  lines.push('', 'budgets:');
  for (const budget of results.budgets) lines.push(`  ${budget.ok ? 'ok  ' : 'OVER'} ${budget.name}: ${budget.value} (limit ${budget.limit})`);
  return lines.join('\n');
}
