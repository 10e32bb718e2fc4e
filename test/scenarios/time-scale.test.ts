import { describe, expect, it } from 'vitest';
import { applyOverrides } from '../../scenarios/overrides.js';
import { readScenario } from '../../scenarios/read.js';
import { parseTimeScale, scaleScenarioTime } from '../../scenarios/time-scale.js';

describe('--time-scale', () => {
  it('divides the run, the intervals, the timeline and the retry sleeps by K, and nothing else', () => {
    const doc: Record<string, unknown> = {
      duration: '6m', warmup: '1m', hosts: 5000,
      server: { policy_update_interval: '2m', detail_update_interval: '1h', stats: { strategy: 'cron', interval: '30s' } },
      agent: { distributed_interval: '10s', config_refresh: 60, logger_tls_period: '10s', start_period: '45s', request_timeout: '16s' },
      timeline: [{ at: '2m', restart_server: { down_for: '15s' } }, { at: '4m', store_unavailable: { for: '10s' } }, { at: '5m', refetch_hosts: { percent: 50 } }],
      thresholds: ['read.p99 < 1s'],
    };
    scaleScenarioTime(doc, 30);
    expect(doc).toEqual({
      duration: '12000ms', warmup: '2000ms', hosts: 5000,
      server: { policy_update_interval: '4000ms', detail_update_interval: '120000ms', stats: { strategy: 'cron', interval: '1000ms' } },
      agent: { distributed_interval: '333ms', config_refresh: '2000ms', logger_tls_period: '333ms', start_period: '1500ms', request_timeout: '16s', retry_sleep_scale: 1 / 30 },
      timeline: [{ at: '4000ms', restart_server: { down_for: '500ms' } }, { at: '8000ms', store_unavailable: { for: '333ms' } }, { at: '10000ms', refetch_hosts: { percent: 50 } }],
      thresholds: ['read.p99 < 1s'],
    });
  });

  it('scales the default duration when the file gives none, and adds the agent section', () => {
    const doc: Record<string, unknown> = {};
    scaleScenarioTime(doc, 10);
    expect(doc).toEqual({ duration: '30000ms', agent: { retry_sleep_scale: 0.1 } });
  });

  it('accepts numbers ≥ 1 only, reported under the flag', () => {
    expect([parseTimeScale('30'), parseTimeScale('2.5'), parseTimeScale(1)]).toEqual([30, 2.5, 1]);
    for (const bad of ['0.5', '0', 'fast', '-3', '']) expect(parseTimeScale(bad)).toBeUndefined();
    expect(applyOverrides({}, { timeScale: 'fast' })).toEqual([{ path: '--time-scale', message: 'must be a number ≥ 1, got "fast"' }]);
  });

  it('a built-in scenario keeps its timeline inside the scaled run, then --duration applies in wall-clock time', () => {
    const loaded = readScenario('reconnect-wave', { overrides: { timeScale: '30', hosts: '20' } });
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.scenario.duration).toBe(12_000);
    expect(loaded.scenario.timeline.map((event) => event.at)).toEqual([4000, 8000]);
    expect(loaded.scenario.agent.retry_sleep_scale).toBeCloseTo(1 / 30);
    const cut = readScenario('reconnect-wave', { overrides: { timeScale: '30', duration: '6s' } });
    expect(cut.ok && cut.scenario.duration).toBe(6000);
  });
});
