/**
 * `osqsim bench stats`, talking to the server under test: the REST reads whose counts it times, the
 * counts other instances read (policy_stats), and distributed/write bodies and posts.
 */
import type mysql from 'mysql2/promise';
import type { Pool } from 'undici';
import { FleetApi } from '../contract/fleet-rest.js';

export const API_TOKEN = 'osqsim-bench-stats';
export const WRITE_PATH = '/api/osquery/distributed/write';

/** The REST API of the server under test, as the bench's token sees it. */
export function benchApi(base: string): FleetApi {
  return new FleetApi(base, API_TOKEN);
}

export async function policyCounts(api: FleetApi, policyId: number): Promise<[number, number]> {
  const policy = await api.getPolicy(policyId);
  return [policy.passing_host_count, policy.failing_host_count];
}

export async function storedCounts(admin: mysql.Connection, policyId: number): Promise<[number, number]> {
  const [rows] = await admin.query(
    'SELECT passing_host_count AS p, failing_host_count AS f FROM policy_stats WHERE policy_id = ? AND inherited_team_id IS NULL',
    [policyId],
  );
  const row = (rows as Array<{ p: number; f: number }>)[0];
  return row ? [row.p, row.f] : [0, 0];
}

export function writeBody(hostId: number, results: ReadonlyArray<readonly [number, boolean]>): string {
  const queries: Record<string, unknown> = {};
  const statuses: Record<string, number> = {};
  for (const [policyId, passes] of results) {
    queries[`fleet_policy_query_${policyId}`] = passes ? [{ 1: '1' }] : [];
    statuses[`fleet_policy_query_${policyId}`] = 0;
  }
  return JSON.stringify({ node_key: `bench-node-${hostId}`, queries, statuses });
}

export async function post(pool: Pool, path: string, body: string): Promise<void> {
  const response = await pool.request({ method: 'POST', path, body, headers: { 'content-type': 'application/json' } });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`POST ${path} answered ${response.statusCode}: ${text.slice(0, 200)}`);
}
