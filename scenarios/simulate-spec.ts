/**
 * The scenario a `simulate` run uses: a scenario file, or — with `--hosts N` alone — the built-in
 * mixed macOS/Windows/Linux fleet (simulator/fleet/default-fleet.ts), with flags on top
 * (hosts, duration, seed, enroll secret). Flags are applied to the raw document and the result is
 * validated once, so a flag error reads like a scenario error.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { osqsimError } from '../lib/errors.js';
import { formatIssues, validateScenario, type Scenario } from './schema.js';
import { type FleetSpec } from '../contract/fleet-spec.js';
import { validateScenarioDocument } from './load.js';
import { DEFAULT_FLEET } from './fleets/builtin-fleet.js';

export interface RunFlags {
  scenario?: string;
  hosts?: number;
  duration?: string;
  warmup?: string;
  seed?: number;
  enrollSecret?: string;
}

/** The built-in mixed macOS/Windows/Linux fleet (weights; scaled to --hosts). */
export function defaultFleet(): FleetSpec {
  return DEFAULT_FLEET;
}

function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** `notes` receives remarks for the user (sections of the scenario that simulate ignores). */
export async function scenarioFromFlags(flags: RunFlags, notes: string[] = []): Promise<Scenario> {
  let raw: Record<string, unknown>;
  let source = 'flags';
  if (flags.scenario !== undefined) {
    source = flags.scenario;
    let text: string;
    try {
      text = readFileSync(flags.scenario, 'utf8');
    } catch (error) {
      throw osqsimError('SCENARIO_INVALID', { source, problems: (error as Error).message });
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(text);
    } catch (error) {
      throw osqsimError('SCENARIO_INVALID', { source, problems: (error as Error).message });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw osqsimError('SCENARIO_INVALID', { source, problems: 'the document must be a mapping' });
    }
    raw = parsed as Record<string, unknown>;
  } else {
    if (flags.hosts === undefined) throw osqsimError('CLI_INVALID_OPTION', { option: '--scenario/--hosts', reason: 'give a scenario file or a host count' });
    raw = { name: 'built-in fleet', fleet: plain(defaultFleet()) };
  }
  // `osqsim simulate` only drives agents: the harness's timeline and thresholds (osqsim run) do not apply.
  const ignored = ['timeline', 'thresholds'].filter((key) => raw[key] !== undefined);
  for (const key of ignored) delete raw[key];
  if (ignored.length > 0) notes.push(`ignoring ${ignored.join(' and ')} (they need the harness: osqsim run)`);
  if (flags.hosts !== undefined) raw.hosts = flags.hosts;
  if (flags.duration !== undefined) raw.duration = flags.duration;
  if (flags.warmup !== undefined) raw.warmup = flags.warmup;
  if (flags.seed !== undefined) raw.seed = flags.seed;
  if (flags.enrollSecret !== undefined) raw.enroll_secret = flags.enrollSecret;
  // A scenario file goes through the harness loader, which resolves `policies:` files relative to it.
  const result = flags.scenario !== undefined ? validateScenarioDocument(raw, flags.scenario) : validateScenario(raw);
  if (!result.ok) throw osqsimError('SCENARIO_INVALID', { source, problems: `\n${formatIssues(result.issues)}` });
  return result.scenario;
}
