/**
 * The `timeline:` section: what happens during a run and when.
 *
 *   timeline:
 *     - at: 0s
 *       ramp_hosts: { to: 1000, over: 30s }
 *     - at: 60s
 *       add_policies: { count: 100, file: policies/macos.yml }
 *     - at: 90s
 *       refetch_hosts: { percent: 20 }
 *
 * Each entry has `at` (a duration since the start of the run) and exactly one event. The validated
 * form is flat: `{ at: 60000, kind: 'add_policies', count: 100, policies: [...] }`.
 *
 * Validators are built lazily (see scenarios/server-section.ts for why).
 */
import { array, duration, int, num, object, str, type Context, type FieldSpec, type Validator, POLICY_FIELDS } from './schema.js';
import { type PolicySpec } from '../contract/fleet-spec.js';

export interface RampHostsEvent { at: number; kind: 'ramp_hosts'; to: number; over: number }
export interface AddPoliciesEvent {
  at: number;
  kind: 'add_policies';
  /** How many to add; repeats `policies` with numbered names when larger, synthesises when empty. */
  count: number;
  /** From `list:` or `file:` (resolved by scenarios/load.ts). */
  policies: PolicySpec[];
  /** Team (by name) the new policies belong to; global when absent. */
  team?: string;
}
export interface EditPoliciesEvent {
  at: number;
  kind: 'edit_policies';
  /** Policies by name; when absent, the first `count` (or all) of the run's policies. */
  names?: string[];
  count?: number;
  /** New query; when absent, the query gets a harmless comment (a new query text, same answers). */
  query?: string;
}
export interface DeletePoliciesEvent { at: number; kind: 'delete_policies'; names?: string[]; count?: number }
export interface RefetchHostsEvent { at: number; kind: 'refetch_hosts'; percent: number }
export interface RestartServerEvent { at: number; kind: 'restart_server'; down_for: number }
export interface StoreUnavailableEvent { at: number; kind: 'store_unavailable'; for: number }
export interface MoveHostsEvent { at: number; kind: 'move_hosts'; percent: number; to_team: string | null }

export type TimelineEvent =
  | RampHostsEvent
  | AddPoliciesEvent
  | EditPoliciesEvent
  | DeletePoliciesEvent
  | RefetchHostsEvent
  | RestartServerEvent
  | StoreUnavailableEvent
  | MoveHostsEvent;

export type TimelineEventKind = TimelineEvent['kind'];

export function timelineEventKinds(): readonly TimelineEventKind[] {
  return ['ramp_hosts', 'add_policies', 'edit_policies', 'delete_policies', 'refetch_hosts', 'restart_server', 'store_unavailable', 'move_hosts'];
}

/** Events that need the server process osqsim started (not possible with `target:`). */
export function needsOwnServer(kind: TimelineEventKind): boolean {
  return kind === 'restart_server' || kind === 'store_unavailable';
}

/** Events that go through the REST API (need a token with `target:`). */
export function needsApi(kind: TimelineEventKind): boolean {
  return kind === 'add_policies' || kind === 'edit_policies' || kind === 'delete_policies' || kind === 'refetch_hosts' || kind === 'move_hosts';
}

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
      list: { validate: array(object<PolicySpec>(POLICY_FIELDS), { minItems: 1 }) },
      // Resolved into `list` by scenarios/load.ts; a string left here means it was not loaded.
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

/** Validator of `timeline:` (lazy): a list of events, returned sorted by time (stable). */
export function timelineValidator(): Validator<TimelineEvent[]> {
  let built: Validator<TimelineEvent[]> | undefined;
  return (value, path, ctx) => {
    built ??= array(buildEventValidator());
    const events = built(value, path, ctx);
    events?.forEach((e, i) => writtenIndex.set(e, i));
    return events?.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i).map(({ e }) => e);
  };
}

export interface TimelineContext {
  hosts: number;
  duration: number;
  /** The run uses `target:` (no server process of ours). */
  external: boolean;
  /** With `target:`, whether an API token was given. */
  apiToken: boolean;
  policyNames: readonly string[];
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
  events.forEach((event, i) => {
    const here = `${path}[${writtenIndex.get(event) ?? i}]`;
    if (event.at >= scenario.duration) ctx.issues.push({ path: `${here}.at`, message: `is at or after the end of the run (duration ${scenario.duration / 1000}s)` });
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
        if (event.at + event.over > scenario.duration) ctx.issues.push({ path: `${here}.ramp_hosts.over`, message: 'ends after the end of the run' });
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
  if (lastRamp && lastRamp.to !== scenario.hosts) {
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

/**
 * The policies an add_policies event creates: its list repeated with numbered names up to `count`,
 * or synthetic ones (`SELECT 1 WHERE …`, three in four pass) when it has no list. Pure.
 */
export function addedPolicies(event: AddPoliciesEvent): PolicySpec[] {
  const out: PolicySpec[] = [];
  const atLabel = `${Math.round(event.at / 1000)}s`;
  for (let i = 0; i < event.count; i++) {
    const base = event.policies[i % Math.max(1, event.policies.length)];
    const round = event.policies.length ? Math.floor(i / event.policies.length) : i;
    if (base) {
      out.push({
        ...base,
        name: round === 0 ? base.name : `${base.name} (${round + 1})`,
        ...(event.team ? { team: event.team } : {}),
      });
    } else {
      out.push({
        name: `rollout ${atLabel} #${i + 1}`,
        query: `SELECT 1 WHERE ${i % 4} != 3`,
        description: 'Synthetic policy added by the scenario timeline (passes on every host unless its number is 4k+3).',
        ...(event.team ? { team: event.team } : {}),
      });
    }
  }
  return out;
}

export const TIMELINE_DOC = 'ramp_hosts {to, over} · add_policies {count, list|file, team} · edit_policies {names|count, query} · delete_policies {names|count} · refetch_hosts {percent} · restart_server {down_for} · store_unavailable {for} · move_hosts {percent, to_team}';
