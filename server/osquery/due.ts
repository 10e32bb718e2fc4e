/**
 * The "is it due?" gates of distributed/read (reference fleet-policies.md §2.3): pure functions.
 * `due = last < now − (interval + jitter)`, strictly; a requested refetch opens every gate.
 */
import type { JitterTables } from './jitter.js';

export function isDue(lastUpdated: Date, intervalMs: number, jitterMs: number, now: Date): boolean {
  return lastUpdated.getTime() < now.getTime() - (intervalMs + jitterMs);
}

/** What a gate needs to know about a host. */
export interface DueState {
  readonly id: number;
  readonly detailUpdatedAt: Date;
  readonly policyUpdatedAt: Date;
  /** Fleet's hosts.label_updated_at. */
  readonly labelUpdatedAt: Date;
  readonly refetchRequested: boolean;
}

export interface GateIntervals {
  readonly detailUpdateIntervalMs: number;
  readonly policyUpdateIntervalMs: number;
  readonly labelUpdateIntervalMs: number;
}

export interface DueGates {
  readonly details: boolean;
  readonly policies: boolean;
  readonly labels: boolean;
}

export function dueForDetails(host: DueState, now: Date, intervals: GateIntervals, jitter: JitterTables): boolean {
  if (host.refetchRequested) return true;
  const interval = intervals.detailUpdateIntervalMs;
  return isDue(host.detailUpdatedAt, interval, jitter.jitterMs(interval, host.id), now);
}

export function dueForPolicies(host: DueState, now: Date, intervals: GateIntervals, jitter: JitterTables): boolean {
  if (host.refetchRequested) return true;
  const interval = intervals.policyUpdateIntervalMs;
  return isDue(host.policyUpdatedAt, interval, jitter.jitterMs(interval, host.id), now);
}

/**
 * Fleet's label gate (server/service/osquery.go, labelQueriesForHost → shouldUpdate with
 * label_update_interval): the same jitter table as details and policies when the intervals are equal.
 */
export function dueForLabels(host: DueState, now: Date, intervals: GateIntervals, jitter: JitterTables): boolean {
  if (host.refetchRequested) return true;
  const interval = intervals.labelUpdateIntervalMs;
  return isDue(host.labelUpdatedAt, interval, jitter.jitterMs(interval, host.id), now);
}

export function dueGates(host: DueState, now: Date, intervals: GateIntervals, jitter: JitterTables): DueGates {
  return {
    details: dueForDetails(host, now, intervals, jitter),
    policies: dueForPolicies(host, now, intervals, jitter),
    labels: dueForLabels(host, now, intervals, jitter),
  };
}

/**
 * The earliest time any gate of this host opens (absent a refetch). The hot path uses it to answer
 * idle reads without evaluating the gates again.
 */
export function nextDueAt(host: DueState, intervals: GateIntervals, jitter: JitterTables): number {
  const detail =
    host.detailUpdatedAt.getTime() + intervals.detailUpdateIntervalMs + jitter.jitterMs(intervals.detailUpdateIntervalMs, host.id);
  const policy =
    host.policyUpdatedAt.getTime() + intervals.policyUpdateIntervalMs + jitter.jitterMs(intervals.policyUpdateIntervalMs, host.id);
  const label =
    host.labelUpdatedAt.getTime() + intervals.labelUpdateIntervalMs + jitter.jitterMs(intervals.labelUpdateIntervalMs, host.id);
  return Math.min(detail, policy, label);
}
