/**
 * Fleet-shaped JSON for scheduled queries (fleet.Query, server/fleet/queries.go; reference
 * fleet-host-vitals.md §4.2): snake_case, `team_id: null` for global, `packs` always [] and
 * `stats` with null aggregates (osqsim computes no aggregated query stats).
 */
import type { ScheduledQuery } from '../store/store.js';
import { iso } from './serialize.js';

export interface QueryJson {
  created_at: string;
  updated_at: string;
  id: number;
  team_id: number | null;
  interval: number;
  platform: string;
  min_osquery_version: string;
  automations_enabled: boolean;
  logging: string;
  name: string;
  description: string;
  query: string;
  saved: true;
  observer_can_run: boolean;
  author_id: number | null;
  author_name: string;
  author_email: string;
  packs: [];
  stats: Record<string, null>;
  discard_data: boolean;
}

const NO_STATS = {
  system_time_p50: null,
  system_time_p95: null,
  user_time_p50: null,
  user_time_p95: null,
  total_executions: null,
} as const;

export function queryJson(query: ScheduledQuery): QueryJson {
  return {
    created_at: iso(query.createdAt),
    updated_at: iso(query.updatedAt),
    id: query.id,
    team_id: query.teamId,
    interval: query.interval,
    platform: query.platform,
    min_osquery_version: query.minOsqueryVersion,
    automations_enabled: query.automationsEnabled,
    logging: query.logging,
    name: query.name,
    description: query.description,
    query: query.query,
    saved: true,
    observer_can_run: query.observerCanRun,
    author_id: query.authorId,
    author_name: query.authorName,
    author_email: query.authorEmail,
    packs: [],
    stats: { ...NO_STATS },
    discard_data: query.discardData,
  };
}
