/**
 * The one shape every benchmark prints with --json (DESIGN §6):
 * `{bench, machine, params, results, ratio}`, machine from lib/machine.ts plus what the benchmark
 * adds (MySQL version and buffer pool where it uses MySQL). `ratio` = ours ÷ the baseline measured
 * in the same run; left out when the benchmark has no baseline.
 */
import { machineInfo, type MachineInfo } from '../lib/machine.js';

/** Facts about the database server a MySQL benchmark ran against. */
export type MysqlFacts = {
  readonly mysql_version: string;
  readonly innodb_buffer_pool_bytes: number;
};

export type BenchMachine = MachineInfo & Partial<MysqlFacts> & Readonly<Record<string, unknown>>;

/** A ratio, or one per variant (e.g. per store); null when the baseline could not be measured. */
export type BenchRatio = number | Readonly<Record<string, number>> | null;

/** What a benchmark's run returns; the harness adds the name and the machine. */
export interface BenchOutcome<R, P extends object = Record<string, unknown>> {
  readonly params: P;
  readonly results: R;
  /** Absent: this benchmark has no baseline. */
  readonly ratio?: BenchRatio;
  /** Added to lib/machine.ts's facts (MySQL facts, load average). */
  readonly machine?: Readonly<Record<string, unknown>>;
}

export interface BenchDocument<R, P extends object = Record<string, unknown>> {
  readonly bench: string;
  readonly machine: BenchMachine;
  readonly params: P;
  readonly results: R;
  readonly ratio?: BenchRatio;
}

export function benchDocument<R, P extends object>(
  name: string,
  outcome: BenchOutcome<R, P>,
  machine: MachineInfo = machineInfo(),
): BenchDocument<R, P> {
  return {
    bench: name,
    machine: { ...machine, ...outcome.machine },
    params: outcome.params,
    results: outcome.results,
    ...(outcome.ratio === undefined ? {} : { ratio: outcome.ratio }),
  };
}
