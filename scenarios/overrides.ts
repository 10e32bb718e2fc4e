/**
 * Command-line overrides of a scenario (`--time-scale`, `--hosts`, `--duration`, `--warmup`, `--seed`,
 * `--enroll-secret`, `--store`, `--strategy`, `--tls`), applied to the parsed document before it is
 * validated, so a bad flag reads like a bad scenario and every problem is reported at once. Pure.
 */
import { formatDurationMs, parseDurationMs } from '../lib/units.js';
import { STATS_STRATEGIES } from '../contract/vocabulary.js';
import type { ValidationIssue } from './schema/validate.js';
import { parseTimeScale, scaleScenarioTime } from './time-scale.js';

/** Flags as typed (strings) or already parsed (numbers). */
export interface ScenarioOverrides {
  hosts?: string | number;
  duration?: string;
  warmup?: string;
  seed?: string | number;
  enrollSecret?: string;
  /** The server osqsim starts: `memory` or a mysql:// URL. */
  store?: string;
  /** One count strategy or a comma list (the run repeats per strategy). */
  strategy?: string;
  /** `osqsim run --tls`: the server osqsim starts serves HTTPS with a self-signed CA. */
  tls?: boolean;
  /** `--time-scale K`: the file's times divided by K (scenarios/time-scale.ts), before --duration/--warmup. */
  timeScale?: string | number;
}

/** The scenario's defaults for the two durations a `--duration` may have to reconcile. */
const DEFAULT_DURATION = '5m';
const DEFAULT_WARMUP = 0;

/**
 * Applies `overrides` to `document` (in place). Returns the problems, each named by its flag;
 * remarks for the user (a warm-up shortened to fit a shorter run) go to `notes`.
 */
export function applyOverrides(document: Record<string, unknown>, overrides: ScenarioOverrides, notes: string[] = []): ValidationIssue[] {
  const problems: ValidationIssue[] = [];
  const whole = (value: string | number, flag: string): number | undefined => {
    if (typeof value === 'number' || /^\d+$/.test(value)) return Number(value);
    problems.push({ path: flag, message: `must be a whole number, got "${value}"` });
    return undefined;
  };
  if (overrides.timeScale !== undefined) {
    const factor = parseTimeScale(overrides.timeScale);
    if (factor === undefined) problems.push({ path: '--time-scale', message: `must be a number ≥ 1, got "${overrides.timeScale}"` });
    else scaleScenarioTime(document, factor);
  }
  if (overrides.hosts !== undefined) {
    const hosts = whole(overrides.hosts, '--hosts');
    if (hosts !== undefined) document.hosts = hosts;
  }
  if (overrides.duration !== undefined) {
    if (overrides.warmup === undefined) fitWarmup(document, overrides.duration, notes);
    document.duration = overrides.duration;
  }
  if (overrides.warmup !== undefined) document.warmup = overrides.warmup;
  if (overrides.seed !== undefined) {
    const seed = whole(overrides.seed, '--seed');
    if (seed !== undefined) document.seed = seed;
  }
  if (overrides.enrollSecret !== undefined) document.enroll_secret = overrides.enrollSecret;
  if (overrides.strategy !== undefined || overrides.store !== undefined || overrides.tls === true) {
    if (document.target !== undefined) {
      problems.push(overrides.strategy !== undefined || overrides.store !== undefined
        ? { path: '--store', message: 'and --strategy apply to the server osqsim starts; this scenario has a target:' }
        : { path: '--tls', message: 'applies to the server osqsim starts; this scenario has a target: (give it an https:// url instead)' });
    }
    const server = { ...((document.server as Record<string, unknown> | undefined) ?? {}) };
    if (overrides.store !== undefined) server.store = overrides.store;
    if (overrides.tls === true) server.tls = 'self-signed';
    if (overrides.strategy !== undefined) {
      const list = overrides.strategy.split(',').map((s) => s.trim());
      for (const s of list) if (!(STATS_STRATEGIES as readonly string[]).includes(s)) problems.push({ path: '--strategy', message: `${s}: expected ${STATS_STRATEGIES.join(', ')}` });
      server.stats = { ...((server.stats as Record<string, unknown> | undefined) ?? {}), strategy: list.length === 1 ? list[0] : list };
    }
    if (document.target === undefined) document.server = server;
  }
  return problems;
}

/**
 * A `--duration` shorter than the scenario's warm-up would leave nothing to measure: the warm-up
 * keeps its share of the run instead (40s of 2m → 7s of 20s), with a note. Durations that do not
 * parse are left for the validator to report.
 */
function fitWarmup(document: Record<string, unknown>, durationFlag: string, notes: string[]): void {
  const ms = (value: unknown): number | undefined => {
    if (typeof value !== 'string' && typeof value !== 'number') return undefined;
    try {
      return parseDurationMs(value);
    } catch {
      return undefined;
    }
  };
  const duration = ms(durationFlag);
  const fileDuration = ms(document.duration ?? DEFAULT_DURATION);
  const warmup = ms(document.warmup ?? DEFAULT_WARMUP);
  if (duration === undefined || fileDuration === undefined || warmup === undefined || duration <= 0 || warmup < duration) return;
  const share = warmup / Math.max(warmup, fileDuration);
  let fitted = duration >= 2000 ? Math.round((duration * share) / 1000) * 1000 : Math.floor(duration * share);
  if (fitted >= duration) fitted = Math.floor(duration / 2);
  document.warmup = `${fitted}ms`;
  notes.push(`warm-up shortened from ${formatDurationMs(warmup)} to ${formatDurationMs(fitted)} to fit --duration ${durationFlag} (the same share of the run; set --warmup to choose)`);
}
