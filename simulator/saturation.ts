/**
 * Generator saturation: when the simulator, not the server, is the bottleneck, its latency figures
 * include its own delay. Judged on merged seconds from the workers' health; the generator counts as
 * saturated when
 * - a worker's event loop was ≥ 95% busy for 3 s running, or
 * - a worker's event-loop delay p99 reached 200 ms, or
 * - more than 1% of check-ins started > 1 s late (out of at least 100 scheduled).
 * Pure: the pool feeds it every merged second of a run (SaturationWatch); the capacity sweep judges
 * the measured window of a step (measuredSaturation). Both apply the same rules (SaturationDetector).
 */
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
} as const;

export type SaturationKind = 'elu' | 'delay' | 'late';

/** What the rules read from a merged second. */
export type GeneratorSecond = Pick<LiveWindow, 't' | 'checkins' | 'generator'>;

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

const WARNING: Record<SaturationKind, (e: Episode) => string> = {
  elu: (e) => `GENERATOR SATURATED: a worker's event loop was ≥ ${SATURATION.eluBusy * 100}% busy ${during(e)}; ${ADVICE}`,
  delay: (e) => `GENERATOR SATURATED: worker event-loop delay p99 ≥ ${SATURATION.eventLoopP99Ms} ms ${during(e)} (worst ${e.worst.toFixed(0)} ms); ${ADVICE}`,
  late: (e) => `GENERATOR SATURATED: > ${SATURATION.lateFraction * 100}% of check-ins started > ${LATE_THRESHOLD_MS / 1000} s late ${during(e)} (worst ${(e.worst * 100).toFixed(1)}%); ${ADVICE}`,
};

function measure(kind: SaturationKind, second: GeneratorSecond): number {
  if (kind === 'elu') return second.generator.elu_max;
  if (kind === 'delay') return second.generator.event_loop_p99_ms;
  return second.checkins.late / second.checkins.scheduled;
}

/**
 * A whole run, as the pool sees it: seconds that break a rule are counted per rule, each rule is
 * announced once when it is first broken, and summarised (when, how long, how bad) for the result.
 */
export class SaturationWatch {
  private readonly detector = new SaturationDetector();
  private readonly episodes = new Map<SaturationKind, Episode>();

  /** Feeds the next merged second; returns the warnings it raises (a rule broken for the first time). */
  observe(second: GeneratorSecond): string[] {
    const raised: string[] = [];
    for (const kind of this.detector.observe(second)) {
      const value = measure(kind, second);
      let episode = this.episodes.get(kind);
      if (!episode) {
        episode = { first: second.t, last: second.t, seconds: 0, worst: value };
        this.episodes.set(kind, episode);
        raised.push(WARNING[kind]({ ...episode, seconds: 1 }));
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
    return [...this.episodes].map(([kind, episode]) => WARNING[kind](episode));
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
    scheduled += window.checkins.scheduled;
    late += window.checkins.late;
  }
  if (tooManyLate(scheduled, late)) warnings.push(`${late} of ${scheduled} check-ins started > ${LATE_THRESHOLD_MS / 1000} s late`);
  return warnings;
}
