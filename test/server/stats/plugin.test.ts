import { afterEach, describe, expect, it } from 'vitest';
import { buildServer, type OsqsimServer } from '../../../server/app.js';
import type { StatsStrategyName } from '../../../contract/vocabulary.js';
import { statsOf } from '../../../server/stats/index.js';

const TOKEN = 'stats-test-token';
let servers: OsqsimServer[] = [];

async function server(statsStrategy: StatsStrategyName): Promise<OsqsimServer> {
  const built = await buildServer({ store: 'memory', apiToken: TOKEN, statsStrategy, logLevel: 'silent' });
  servers.push(built);
  return built;
}

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

const auth = { authorization: `Bearer ${TOKEN}` };

describe('stats plugin', () => {
  it('makes the strategy the server\'s count reader; only incremental asks for membership changes', async () => {
    for (const name of ['cron', 'realtime', 'incremental'] as const) {
      const { context } = await server(name);
      const stats = statsOf(context)!;
      expect(stats.strategy.name).toBe(name);
      expect(context.counts).toBe(stats.strategy.reader);
      expect(context.events.wantsMembershipChanges()).toBe(name === 'incremental');
      expect(stats.runner === undefined).toBe(name === 'realtime');
    }
  });

  it('GET /api/{v1,latest}/osqsim/stats/runs lists recorded runs, newest first, behind the API token', async () => {
    const { app, context } = await server('cron');
    const runner = statsOf(context)!.runner!;
    expect(await runner.tick()).toBe('ran');
    const denied = await app.inject({ method: 'GET', url: '/api/v1/osqsim/stats/runs' });
    expect(denied.statusCode).toBe(401);
    expect(denied.json()).toMatchObject({ message: 'Authentication required' });
    const wrong = await app.inject({ method: 'GET', url: '/api/v1/osqsim/stats/runs', headers: { authorization: 'Bearer nope' } });
    expect(wrong.statusCode).toBe(401);
    for (const version of ['v1', 'latest']) {
      const response = await app.inject({ method: 'GET', url: `/api/${version}/osqsim/stats/runs`, headers: auth });
      expect(response.statusCode).toBe(200);
      const body = response.json() as { strategy: string; instance: string; runs: Array<Record<string, unknown>> };
      expect(body.strategy).toBe('cron');
      expect(body.instance).toBe(context.instanceId);
      expect(body.runs).toHaveLength(1);
      expect(body.runs[0]).toMatchObject({ strategy: 'cron', instance: context.instanceId, rows_scanned: 0, policies_updated: 0, drift: 0 });
      expect(Object.keys(body.runs[0]!).sort()).toEqual(
        ['drift', 'duration_ms', 'id', 'instance', 'policies_updated', 'rows_scanned', 'started_at', 'strategy'],
      );
      expect(new Date(body.runs[0]!['started_at'] as string).toISOString()).toBe(body.runs[0]!['started_at']);
    }
    const bad = await app.inject({ method: 'GET', url: '/api/v1/osqsim/stats/runs?limit=0', headers: auth });
    expect(bad.statusCode).toBe(400);
  });

  it('/metrics exposes aggregation durations, runs, last drift and rows scanned in Prometheus text format', async () => {
    const { app, context } = await server('incremental');
    expect(await statsOf(context)!.runner!.tick()).toBe('ran');
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = response.body;
    expect(text).toContain('# TYPE osqsim_stats_aggregation_duration_seconds histogram');
    expect(text).toContain('# TYPE osqsim_stats_runs_total counter');
    expect(text).toContain('# TYPE osqsim_stats_last_drift gauge');
    expect(text).toMatch(/^osqsim_stats_aggregation_duration_seconds_bucket\{strategy="incremental",le="\+Inf"\} 1$/m);
    expect(text).toMatch(/^osqsim_stats_aggregation_duration_seconds_count\{strategy="incremental"\} 1$/m);
    expect(text).toMatch(/^osqsim_stats_runs_total\{outcome="ok",strategy="incremental"\} 1$/m);
    expect(text).toMatch(/^osqsim_stats_last_drift\{strategy="incremental"\} 0$/m);
    expect(text).toMatch(/^osqsim_stats_strategy\{strategy="incremental"\} 1$/m);
    // Every sample line is `name{labels} value`; bucket counts never decrease.
    const sample = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|\+Inf|-Inf|NaN)$/;
    for (const line of text.trim().split('\n')) {
      if (!line.startsWith('#')) expect(line).toMatch(sample);
    }
    const buckets = text
      .split('\n')
      .filter((line) => line.startsWith('osqsim_stats_aggregation_duration_seconds_bucket{strategy="incremental"'))
      .map((line) => Number(line.split(' ').pop()));
    expect(buckets.length).toBeGreaterThan(5);
    expect([...buckets].sort((x, y) => x - y)).toEqual(buckets);
  });
});
