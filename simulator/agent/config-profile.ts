/**
 * What a served config gives a host, read once per distinct config text and shared by every host
 * that got the same text (a fleet's hosts mostly get one config per team): the options osquery
 * adopts (server-answers.ts, adoptedOptions) and the scheduled queries (schedule.ts), with the
 * per-group answer of each scheduled query computed on first use. A host holds only the profile's
 * index (2 bytes).
 */
import type { FleetGroupSpec } from '../../contract/fleet-spec.js';
import { adoptedOptions, type AdoptedOptions } from '../server-answers.js';
import { scheduledAnswer, scheduledQueries, type ScheduledAnswer, type ScheduledQuery } from './schedule.js';

export interface ConfigProfile {
  options: AdoptedOptions;
  schedule: ScheduledQuery[];
  /** Per group index: each scheduled query's answer (lines per run / first run). */
  answers: Array<ScheduledAnswer[] | undefined>;
}

/** Distinct configs kept; past this a config is still read, just not shared (hosts fall back to the last profile slot). */
const MAX_PROFILES = 4096;

export class ConfigProfiles {
  /** Index 0: no config adopted yet (the agent section's values, no schedule). */
  private readonly profiles: ConfigProfile[] = [{ options: {}, schedule: [], answers: [] }];
  private readonly byText = new Map<string, number>();

  /** The profile index of a config answer; undefined when the text is not a JSON object. */
  intern(text: string): number | undefined {
    const known = this.byText.get(text);
    if (known !== undefined) return known;
    let config: { options?: unknown; schedule?: unknown; packs?: unknown };
    try {
      config = JSON.parse(text) as typeof config;
    } catch {
      return undefined;
    }
    if (typeof config !== 'object' || config === null) return undefined;
    const options = typeof config.options === 'object' && config.options !== null ? adoptedOptions(config.options as Record<string, unknown>) : {};
    const profile: ConfigProfile = { options, schedule: scheduledQueries(config, options.packDelimiter), answers: [] };
    if (this.profiles.length >= MAX_PROFILES) {
      this.profiles[MAX_PROFILES - 1] = profile;
      return MAX_PROFILES - 1;
    }
    this.profiles.push(profile);
    this.byText.set(text, this.profiles.length - 1);
    return this.profiles.length - 1;
  }

  get(index: number): ConfigProfile {
    return this.profiles[index]!;
  }

  /** The scheduled queries' answers for a group (computed once per profile and group). */
  answersFor(index: number, group: number, spec: FleetGroupSpec, sqlAnswer: (sql: string) => { status: number; rowCount: number }): ScheduledAnswer[] {
    const profile = this.profiles[index]!;
    let answers = profile.answers[group];
    if (answers === undefined) {
      answers = profile.schedule.map((q) => scheduledAnswer(q, { platform: spec.platform, osquery_version: spec.osquery_version ?? '' }, sqlAnswer));
      profile.answers[group] = answers;
    }
    return answers;
  }
}
