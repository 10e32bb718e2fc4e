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
 * This module holds the event types and the pure helpers the plan and the runner share; the
 * validation and the rules across sections are in schema/sections/timeline.ts.
 */
import { type PolicySpec } from '../contract/fleet-spec.js';

export interface RampHostsEvent { at: number; kind: 'ramp_hosts'; to: number; over: number }
export interface AddPoliciesEvent {
  at: number;
  kind: 'add_policies';
  /** How many to add; repeats `policies` with numbered names when larger, synthesises when empty. */
  count: number;
  /** From `list:` or `file:` (files are read by scenarios/read.ts). */
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
