/**
 * Which side is saturated. A latency figure is (timer lateness) + (the simulator's own queue) +
 * (service time, which includes the generator's event-loop delay in reading the answer); when the
 * simulator, not the server, is the bottleneck, its figures describe the simulator.
 *
 * The generator counts as saturated when
 * - a worker's event loop was ≥ 95% busy for 3 s running (CPU), or
 * - a worker's event-loop delay p99 reached 200 ms, or
 * - more than 1% of check-ins started > 1 s late (out of at least 100 scheduled), or
 * - a worker's client queue (post → handed to the HTTP client, which writes at once) p99 reached 100 ms, or
 * - it hit an OS limit: requests waited for the open-file share of elastic connections, or failed
 *   with EMFILE / ENFILE (ulimit -n) or EADDRNOTAVAIL (ephemeral ports).
 * The target counts as saturated (classifySaturation, on the run's totals) when an endpoint's service
 * time p99 reached 500 ms or ≥ 1% of requests timed out or got 5xx; while the generator is saturated
 * the target cannot be judged (its service times include the generator's delay), and the verdict says so.
 *
 * Pure: the pool feeds every merged second of a run (SaturationWatch); the capacity sweep judges the
 * measured window of a step (measuredSaturation). Both apply the same rules (SaturationDetector).
 */
import type { AgentEndpointName } from '../contract/vocabulary.js';
import { LATE_THRESHOLD_MS } from './recorder.js';
import type { LiveWindow } from './window-merge.js';

export const SATURATION = {
  /** Event-loop utilisation of the busiest worker … */
  eluBusy: 0.95,
  /** … for this many seconds in a row. */
  eluSeconds: 3,
  eventLoopP99Ms: 200,
  lateFraction: 0.01,
  /** Fewer scheduled check-ins than this say nothing about lateness. */
  minScheduled: 100,
  /** The simulator's own queue (post → hand-off to the HTTP client), a worker's p99 in one second. */
  clientQueueP99Ms: 100,
  /** Target: an endpoint's service time p99 over the measured window … */
  targetServiceP99Ms: 500,
  /** … or this fraction of requests timed out or answered 5xx. */
  targetFailureFraction: 0.01,
  /** A load average above this many times the CPU count: the machine, not only the simulator, was short of CPU. */
  oversubscribed: 1.5,
} as const;

export type SaturationKind = 'elu' | 'delay' | 'late' | 'queue' | 'limit';

/** What the rules read from a merged second. */
export type GeneratorSecond = Pick<LiveWindow, 't' | 'checkins' | 'generator'>;

/** Requests that met an OS limit in this second (waited for the connection budget, or failed on it). */
function limitHits(second: GeneratorSecond): number {
  let n = second.generator.limited;
  for (const count of Object.values(second.generator.limit_errors)) n += count;
  return n;
}

/** More than 1% of at least 100 scheduled check-ins started late. */
export function tooManyLate(scheduled: number, late: number): boolean {
  return scheduled >= SATURATION.minScheduled && late / scheduled > SATURATION.lateFraction;
}

/** The rules, second by second; the busy-loop rule needs the seconds before, so this holds a streak. */
export class SaturationDetector {
  /** Seconds in a row with a worker's event loop ≥ 95% busy, up to the last one observed. */
  eluStreak = 0;

  /** The rules second `second` breaks (the next second of the run, in order). */
  observe(second: GeneratorSecond): SaturationKind[] {
    this.eluStreak = second.generator.elu_max >= SATURATION.eluBusy ? this.eluStreak + 1 : 0;
    const broken: SaturationKind[] = [];
    if (this.eluStreak >= SATURATION.eluSeconds) broken.push('elu');
    if (second.generator.event_loop_p99_ms >= SATURATION.eventLoopP99Ms) broken.push('delay');
    if (tooManyLate(second.checkins.scheduled, second.checkins.late)) broken.push('late');
    if (second.generator.client_queue_p99_ms >= SATURATION.clientQueueP99Ms) broken.push('queue');
    if (limitHits(second) > 0) broken.push('limit');
    return broken;
  }
}

interface Episode {
  first: number;
  last: number;
  seconds: number;
  /** The worst value of the rule's measure: utilisation, delay ms, or late fraction. */
  worst: number;
}

const ADVICE = 'latency figures include the generator\'s own delay: use more workers or fewer hosts per machine';

function during(e: Episode): string {
  return e.seconds <= 1 ? `at t=${e.first} s` : `in ${e.seconds} s between t=${e.first} and t=${e.last} s`;
}

const LIMIT_ADVICE = 'raise the open-file limit (ulimit -n), spread hosts over more machines (--shard), or use a fixed pool (--connections <n>)';

/** The OS limits the limit warning quotes (lib/os-limits.ts); undefined where they cannot be read. */
export interface OsLimits {
  fileLimit?: number;
  portRange?: { low: number; high: number };
}

const WARNING: Record<SaturationKind, (e: Episode, limits: OsLimits) => string> = {
  queue: (e) => `GENERATOR SATURATED: requests waited ≥ ${SATURATION.clientQueueP99Ms} ms (p99) inside the simulator before the HTTP client took them ${during(e)} (worst ${e.worst.toFixed(0)} ms); ${ADVICE}`,
  limit: (e, { fileLimit, portRange }) =>
    `GENERATOR LIMIT: up to ${e.worst} request(s) a second met an OS limit on connections (open files: ${fileLimit === undefined ? 'ulimit -n' : `ulimit -n = ${fileLimit}`}; ephemeral ports: net.ipv4.ip_local_port_range${portRange === undefined ? '' : ` = ${portRange.low}–${portRange.high}`}) ${during(e)}; ${LIMIT_ADVICE}`,
  elu: (e) => `GENERATOR SATURATED: a worker's event loop was ≥ ${SATURATION.eluBusy * 100}% busy ${during(e)}; ${ADVICE}`,
  delay: (e) => `GENERATOR SATURATED: worker event-loop delay p99 ≥ ${SATURATION.eventLoopP99Ms} ms ${during(e)} (worst ${e.worst.toFixed(0)} ms); ${ADVICE}`,
  late: (e) => `GENERATOR SATURATED: > ${SATURATION.lateFraction * 100}% of check-ins started > ${LATE_THRESHOLD_MS / 1000} s late ${during(e)} (worst ${(e.worst * 100).toFixed(1)}%); ${ADVICE}`,
};

function measure(kind: SaturationKind, second: GeneratorSecond): number {
  if (kind === 'elu') return second.generator.elu_max;
  if (kind === 'delay') return second.generator.event_loop_p99_ms;
  if (kind === 'queue') return second.generator.client_queue_p99_ms;
  if (kind === 'limit') return limitHits(second);
  return second.checkins.late / second.checkins.scheduled;
}

/**
 * A whole run, as the pool sees it: seconds that break a rule are counted per rule, each rule is
 * announced once when it is first broken, and summarised (when, how long, how bad) for the result.
 */
export class SaturationWatch {
  private readonly detector = new SaturationDetector();
  private readonly episodes = new Map<SaturationKind, Episode>();

  /** `limits`: this process's open-file limit and port range (lib/os-limits.ts), quoted when a connection limit is hit. */
  constructor(private readonly limits: OsLimits = {}) {}

  /** Feeds the next merged second; returns the warnings it raises (a rule broken for the first time). */
  observe(second: GeneratorSecond): string[] {
    const raised: string[] = [];
    for (const kind of this.detector.observe(second)) {
      const value = measure(kind, second);
      let episode = this.episodes.get(kind);
      if (!episode) {
        episode = { first: second.t, last: second.t, seconds: 0, worst: value };
        this.episodes.set(kind, episode);
        raised.push(WARNING[kind]({ ...episode, seconds: 1 }, this.limits));
      }
      episode.last = second.t;
      episode.seconds++;
      episode.worst = Math.max(episode.worst, value);
    }
    return raised;
  }

  get saturated(): boolean {
    return this.episodes.size > 0;
  }

  /** One line per rule broken during the run. */
  summary(): string[] {
    return [...this.episodes].map(([kind, episode]) => WARNING[kind](episode, this.limits));
  }
}

/**
 * Generator saturation inside the measured window. The simulator flags the whole run, including the
 * warm-up, where loading workers and the first all-due check-ins block event loops briefly; a sweep
 * step is only invalid when the generator could not keep its schedule while it was being measured.
 * Lateness is judged over the whole measured window, not second by second.
 */
export function measuredSaturation(windows: ReadonlyArray<GeneratorSecond & Pick<LiveWindow, 'warmup'>>): string[] {
  const detector = new SaturationDetector();
  const warnings: string[] = [];
  let scheduled = 0;
  let late = 0;
  for (const window of windows) {
    if (window.warmup) continue;
    const broken = detector.observe(window);
    if (broken.includes('elu') && detector.eluStreak === SATURATION.eluSeconds) {
      warnings.push(`a worker's event loop was ≥ ${SATURATION.eluBusy * 100}% busy for ${detector.eluStreak} s (t=${window.t})`);
    }
    if (broken.includes('delay')) warnings.push(`worker event-loop delay p99 ${Math.round(window.generator.event_loop_p99_ms)} ms at t=${window.t}`);
    if (broken.includes('queue')) warnings.push(`client queue p99 ${Math.round(window.generator.client_queue_p99_ms)} ms at t=${window.t}`);
    if (broken.includes('limit')) warnings.push(`${limitHits(window)} request(s) met an OS connection limit at t=${window.t}`);
    scheduled += window.checkins.scheduled;
    late += window.checkins.late;
  }
  if (tooManyLate(scheduled, late)) warnings.push(`${late} of ${scheduled} check-ins started > ${LATE_THRESHOLD_MS / 1000} s late`);
  return warnings;
}

/** Which side a run saturated: none, the generator (its figures are its own), or the target (service time). */
export type SaturatedSide = 'none' | 'generator' | 'target';

export interface SaturationVerdict {
  side: SaturatedSide;
  /** Why, for people; empty when side is none. */
  reasons: string[];
}

/** What classifySaturation reads from a run: the generator's warnings and, per endpoint, service p99 and failures. */
export interface SaturationInput {
  generatorWarnings: readonly string[];
  /** The machine's highest 1-minute load average during the run and its CPU count (absent: not judged). */
  machine?: { loadAvgMax: number; cpus: number };
  /** Every agent endpoint of the run (fleetd's too: an overloaded target slows orbit's requests as well). */
  endpoints: Partial<Record<AgentEndpointName, { count: number; serviceP99Ms: number; timeouts: number; serverErrors: number }>>;
}

/**
 * The run's verdict. The generator goes first: while it is saturated, service times include its own
 * delay, so the target cannot be judged (said in the reason). Otherwise the target is saturated when
 * an endpoint's service p99 ≥ 500 ms or ≥ 1% of its requests timed out or answered 5xx. Pure.
 */
export function classifySaturation(input: SaturationInput): SaturationVerdict {
  const target: string[] = [];
  for (const [name, e] of Object.entries(input.endpoints) as Array<[AgentEndpointName, NonNullable<SaturationInput['endpoints'][AgentEndpointName]>]>) {
    if (e.count === 0) continue;
    if (e.serviceP99Ms >= SATURATION.targetServiceP99Ms) target.push(`${name} service time p99 ${Math.round(e.serviceP99Ms)} ms (≥ ${SATURATION.targetServiceP99Ms} ms)`);
    const failed = e.timeouts + e.serverErrors;
    if (failed / e.count >= SATURATION.targetFailureFraction) target.push(`${name}: ${failed} of ${e.count} requests timed out or answered 5xx`);
  }
  if (input.generatorWarnings.length > 0) {
    const reasons = [...input.generatorWarnings];
    const machine = input.machine;
    if (machine && machine.loadAvgMax > machine.cpus * SATURATION.oversubscribed) {
      reasons.push(
        `the machine was oversubscribed (1-minute load average up to ${machine.loadAvgMax.toFixed(1)} on ${machine.cpus} CPUs): other processes competed for the CPU, so the generator's delay may be the machine's, not the simulator's own cost`,
      );
    }
    if (target.length > 0) reasons.push(`the target may be saturated too (${target.join('; ')}), but its service times include the generator's delay`);
    return { side: 'generator', reasons };
  }
  if (target.length > 0) return { side: 'target', reasons: target.map((r) => `TARGET SATURATED: ${r}, while the generator kept its schedule`) };
  return { side: 'none', reasons: [] };
}
