/**
 * `osqsim bench stats`: its flags (one table), the options they make, and the command definition
 * cli/bench.ts registers. The measurement is stats-bench.ts, the table stats-bench-format.ts.
 */
import { STATS_STRATEGIES } from '../contract/vocabulary.js';
import type { BenchDefinition } from './bench-command.js';
import { listOf, nonNegativeInt, option, optional, parseParams, positiveInt, sizeBytes, text, toggle, type ParamValues } from './bench-params.js';
import { formatStatsBench } from './stats-bench-format.js';
import type { StatsBenchOptions, StatsBenchParams, StatsBenchResults } from './stats-bench-results.js';
import { runStatsBench } from './stats-bench.js';

export const STATS_PARAMS = {
  store: option('--store <url>', 'mysql://user:pass@host:port/db (created if missing; seeded data is reused when the shape matches)', text),
  hosts: option('--hosts <n>', 'hosts', positiveInt, '100000'),
  policies: option('--policies <n>', 'global policies (every host answers every one)', positiveInt, '100'),
  teams: option('--teams <n>', 'teams (hosts round-robin over the teams and No team)', nonNegativeInt, '10'),
  strategies: option('--strategies <list>', 'strategies to measure, comma separated', listOf(STATS_STRATEGIES, 'strategy'), 'cron,incremental,realtime'),
  repeats: option('--repeats <n>', 'timed aggregation runs per strategy (after one warm-up), each after a bare GROUP BY', positiveInt, '5'),
  reads: option('--reads <n>', 'timed API reads per strategy (realtime: at most --repeats)', positiveInt, '20'),
  freshnessTrials: option('--freshness-trials <n>', 'writes timed until visible (realtime: at most 3)', positiveInt, '10'),
  writeRate: option('--write-rate <req/s>', 'distributed/write open-loop rate (each write carries every policy)', positiveInt, '100'),
  writeSeconds: option('--write-seconds <n>', 'seconds per write window (without, then during aggregation)', positiveInt, '6'),
  writeRounds: option('--write-rounds <n>', 'rounds of the two windows, interleaved', positiveInt, '3'),
  connections: option('--connections <n>', 'HTTP connections for the writes', positiveInt, '16'),
  bufferPool: optional('--buffer-pool <size>', 'SET GLOBAL innodb_buffer_pool_size for the run, e.g. 2GiB (restored afterwards)', sizeBytes),
  reset: toggle('--reset', 'wipe the database and seed again'),
  seed: option('--seed <n>', 'seed of the answers and the random picks', positiveInt, '1'),
};

export function statsOptions(values: ParamValues<typeof STATS_PARAMS>): StatsBenchOptions {
  const { bufferPool, ...rest } = values;
  return { ...rest, ...(bufferPool === undefined ? {} : { bufferPoolBytes: bufferPool }) };
}

/** Flags as typed (camelCase keys, defaults applied from the table) → options; throws on a bad value. */
export function optionsFromFlags(flags: Readonly<Record<string, string | boolean | undefined>>): StatsBenchOptions {
  return statsOptions(parseParams(STATS_PARAMS, flags));
}

export const statsBench: BenchDefinition<typeof STATS_PARAMS, StatsBenchResults, StatsBenchParams> = {
  name: 'stats',
  description: 'What counting policy results costs per strategy (aggregation, reads, freshness, write latency) vs a bare GROUP BY, on MySQL',
  params: STATS_PARAMS,
  run: (values, progress) => runStatsBench({ ...statsOptions(values), progress }),
  format: formatStatsBench,
};
