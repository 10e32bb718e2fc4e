/**
 * Validation of the `timeline:` section (event types: scenarios/timeline.ts) and the rules that tie
 * it to the rest of the scenario: hosts, duration, policies, and whether osqsim starts the server.
 */
import { type PolicySpec } from '../../../contract/fleet-spec.js';
import { addedPolicies, needsApi, needsOwnServer, timelineEventKinds, type RampHostsEvent, type TimelineEvent, type TimelineEventKind } from '../../timeline.js';
import { array, duration, int, num, object, str, type Context, type FieldSpec, type Validator } from '../validate.js';
import { policyValidator } from './policies.js';

function eventFields(): Record<TimelineEventKind, Record<string, FieldSpec>> {
  const names: FieldSpec = { validate: array(str({ nonEmpty: true }), { minItems: 1 }) };
  const percentValidator: Validator<number> = num({ gt: 0, max: 100 });
  return {
    ramp_hosts: {
      to: { validate: int({ min: 0 }), required: true },
      over: { validate: duration(), default: () => 0 },
    },
    add_policies: {
      count: { validate: int({ min: 1, max: 100_000 }) },
      list: { validate: array(policyValidator, { minItems: 1 }) },
      // Read into `list` by scenarios/read.ts; a string left here means it was not read.
      file: { validate: str({ nonEmpty: true }) },
      team: { validate: str({ nonEmpty: true }) },
    },
    edit_policies: { names, count: { validate: int({ min: 1 }) }, query: { validate: str({ nonEmpty: true }) } },
    delete_policies: { names, count: { validate: int({ min: 1 }) } },
    refetch_hosts: { percent: { validate: percentValidator, required: true } },
    restart_server: { down_for: { validate: duration(), default: () => 0 } },
    store_unavailable: { for: { validate: duration({ positive: true }), required: true } },
    move_hosts: {
      percent: { validate: percentValidator, required: true },
      // A team name; null (or "none") moves the hosts to no team.
      to_team: { validate: str({ nonEmpty: true }), required: true },
    },
  };
}

function buildEventValidator(): Validator<TimelineEvent> {
  const kinds = timelineEventKinds();
  const perKind = eventFields();
  const validators = Object.fromEntries(kinds.map((k) => [k, object<Record<string, unknown>>(perKind[k])])) as Record<TimelineEventKind, Validator<Record<string, unknown>>>;
  const entry = object<Record<string, unknown>>({
    at: { validate: duration(), required: true },
    ...Object.fromEntries(kinds.map((k) => [k, { validate: (v: unknown, p: string, c: Context) => validators[k](v, p, c) }])),
  });
  return (value, path, ctx) => {
    const before = ctx.issues.length;
    const parsed = entry(value, path, ctx);
    if (parsed === undefined) {
      // A lone unknown key is most likely a misspelt event: make the message say what is expected.
      return undefined;
    }
    const present = kinds.filter((k) => parsed[k] !== undefined);
    if (present.length !== 1) {
      ctx.issues.push({
        path,
        message: present.length === 0 ? `needs one event: ${kinds.join(', ')}` : `has ${present.length} events (${present.join(', ')}); write one per entry`,
      });
      return undefined;
    }
    const kind = present[0]!;
    const params = parsed[kind] as Record<string, unknown>;
    const at = parsed.at as number;
    if (kind === 'add_policies') {
      const list = (params.list as PolicySpec[] | undefined) ?? [];
      if (typeof params.file === 'string') {
        ctx.issues.push({ path: `${path}.add_policies.file`, message: `could not be loaded: ${params.file} (policy files are read by osqsim scenario validate/plan/run)` });
      }
      const count = (params.count as number | undefined) ?? list.length;
      if (count === 0) ctx.issues.push({ path: `${path}.add_policies`, message: 'needs a count, a list or a file' });
      if (ctx.issues.length !== before) return undefined;
      return { at, kind, count, policies: list, ...(params.team ? { team: params.team as string } : {}) };
    }
    if (kind === 'edit_policies' || kind === 'delete_policies') {
      if (params.names !== undefined && params.count !== undefined) {
        ctx.issues.push({ path: `${path}.${kind}`, message: 'takes names or a count, not both' });
        return undefined;
      }
    }
    if (kind === 'move_hosts') {
      const team = params.to_team as string;
      return { at, kind, percent: params.percent as number, to_team: /^(none|no team|null)$/i.test(team) ? null : team };
    }
    return { at, kind, ...params } as TimelineEvent;
  };
}

/** Where each validated event was written in the file (its index before sorting), for issue paths. */
const writtenIndex = new WeakMap<TimelineEvent, number>();

const eventListValidator = array(buildEventValidator());

/** Validator of `timeline:`: a list of events, returned sorted by time (stable). */
export const timelineValidator: Validator<TimelineEvent[]> = (value, path, ctx) => {
  const events = eventListValidator(value, path, ctx);
  events?.forEach((e, i) => writtenIndex.set(e, i));
  return events?.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i).map(({ e }) => e);
};

export interface TimelineContext {
  hosts: number;
  duration: number;
  /** The run uses `target:` (no server process of ours). */
  external: boolean;
  /** With `target:`, whether an API token was given. */
  apiToken: boolean;
  policyNames: readonly string[];
  /**
   * The duration was cut short on the command line (`--duration`): events at or after the end are
   * skipped rather than refused, a ramp may be cut by the end, and the hosts need not all start.
   */
  durationFromFlag?: boolean;
}

/** The events a run skips because they fall at or after its end (only when the duration came from a flag). */
export function eventsAfterEnd(events: readonly TimelineEvent[], duration: number): TimelineEvent[] {
  return events.filter((e) => e.at >= duration);
}

/**
 * Rules across the timeline and the rest of the scenario. `events` are in the validated order
 * (sorted by `at`); issue paths use the index the event was written at in the file.
 */
export function checkTimeline(events: readonly TimelineEvent[], scenario: TimelineContext, path: string, ctx: Context): void {
  let hostsAt = 0;
  let rampEnd = 0;
  let lastRamp: RampHostsEvent | undefined;
  let policyCount = scenario.policyNames.length;
  let rampCut = false;
  events.forEach((event, i) => {
    const here = `${path}[${writtenIndex.get(event) ?? i}]`;
    if (event.at >= scenario.duration) {
      if (scenario.durationFromFlag) {
        rampCut ||= event.kind === 'ramp_hosts';
        return;
      }
      ctx.issues.push({ path: `${here}.at`, message: `is at or after the end of the run (duration ${scenario.duration / 1000}s)` });
    }
    if (scenario.external && needsOwnServer(event.kind)) {
      ctx.issues.push({ path: `${here}.${event.kind}`, message: 'needs the server osqsim starts; it cannot be applied to a target: server' });
    }
    if (scenario.external && needsApi(event.kind) && !scenario.apiToken) {
      ctx.issues.push({ path: `${here}.${event.kind}`, message: 'uses the target\'s REST API: set target.api_token' });
    }
    switch (event.kind) {
      case 'ramp_hosts':
        if (event.at < rampEnd) ctx.issues.push({ path: `${here}.at`, message: `overlaps the previous ramp, which ends at ${rampEnd / 1000}s` });
        if (event.to < hostsAt) ctx.issues.push({ path: `${here}.ramp_hosts.to`, message: `is ${event.to}, below the ${hostsAt} hosts already started (ramps only go up; hosts keep running)` });
        if (event.to > scenario.hosts) ctx.issues.push({ path: `${here}.ramp_hosts.to`, message: `is ${event.to}, more than the scenario's ${scenario.hosts} hosts` });
        if (event.at + event.over > scenario.duration) {
          if (scenario.durationFromFlag) rampCut = true;
          else ctx.issues.push({ path: `${here}.ramp_hosts.over`, message: 'ends after the end of the run' });
        }
        hostsAt = Math.max(hostsAt, event.to);
        rampEnd = event.at + event.over;
        lastRamp = event;
        break;
      case 'add_policies':
        policyCount += event.count;
        break;
      case 'edit_policies':
      case 'delete_policies':
        for (const name of event.names ?? []) {
          if (!knownName(name, scenario.policyNames, events, i)) {
            ctx.issues.push({ path: `${here}.${event.kind}.names`, message: `no policy named ${JSON.stringify(name)} exists at that time${suggest(name, scenario.policyNames)}` });
          }
        }
        if (event.count !== undefined && event.count > policyCount) {
          ctx.issues.push({ path: `${here}.${event.kind}.count`, message: `is ${event.count} but only ${policyCount} policies exist at that time` });
        }
        if (event.kind === 'delete_policies') policyCount -= event.count ?? event.names?.length ?? policyCount;
        break;
      default:
        break;
    }
  });
  if (lastRamp && lastRamp.to !== scenario.hosts && !rampCut) {
    const index = writtenIndex.get(lastRamp) ?? events.indexOf(lastRamp);
    ctx.issues.push({ path: `${path}[${index}].ramp_hosts.to`, message: `the last ramp ends at ${lastRamp.to} hosts but the scenario has ${scenario.hosts}: ramp to hosts (${scenario.hosts}) last` });
  }
}

function knownName(name: string, initial: readonly string[], events: readonly TimelineEvent[], before: number): boolean {
  if (initial.includes(name)) return true;
  return events.slice(0, before).some((e) => e.kind === 'add_policies' && addedPolicies(e).some((p) => p.name === name));
}

function suggest(name: string, names: readonly string[]): string {
  const lower = name.toLowerCase();
  const hit = names.find((n) => n.toLowerCase() === lower || n.toLowerCase().includes(lower));
  return hit ? ` (did you mean ${JSON.stringify(hit)}?)` : '';
}

