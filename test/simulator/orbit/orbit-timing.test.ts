/**
 * fleetd's periods at defaults, on a fake clock (sources: simulator/orbit/timings.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { orbitHarness, times, type OrbitHarness } from '../fixtures/orbit-clock.js';
import { ORBIT_ENDPOINT_INDEX } from '../../../simulator/recorder.js';

const S = 1000;
const MIN = 60 * S;
let harness: OrbitHarness | undefined;
afterEach(() => harness?.close());

describe('orbit start sequence (orbit/cmd/orbit/orbit.go main)', () => {
  it('pings, enrolls, fetches config, then writes a new device token, in that order', () => {
    harness = orbitHarness();
    harness.advance(1 * S);
    expect(harness.sent.slice(0, 4).map((r) => `${r.method} ${r.route}`)).toEqual(['HEAD orbit_ping', 'POST orbit_enroll', 'POST orbit_config', 'POST orbit_device_token']);
    const enroll = JSON.parse(harness.of('orbit_enroll')[0]!.body) as Record<string, string>;
    expect(enroll['enroll_secret']).toBe('secret');
    expect(enroll['hardware_uuid']).toBe(enroll['osquery_identifier']);
    expect(JSON.parse(harness.of('orbit_config')[0]!.body)).toEqual({ orbit_node_key: 'orbit-0' });
    const token = JSON.parse(harness.of('orbit_device_token')[0]!.body) as Record<string, string>;
    expect(token['orbit_node_key']).toBe('orbit-0');
    expect(token['device_auth_token']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(harness.orbit.keysOf(0)).toEqual({ orbitNodeKey: 'orbit-0', deviceToken: token['device_auth_token'] });
  });
});

describe('steady periods', () => {
  it('config every 30 s, capabilities ping and token remote check every 5 min, Desktop summary every 5 min, device ping every 10 s', () => {
    harness = orbitHarness();
    harness.advance(20 * MIN);
    // The start chain (ping → enroll → config) takes a few ms on the harness's 1 ms wheel slots;
    // then the 30 s ticker, phased on the process start.
    const config = times(harness.of('orbit_config'));
    expect(config[0]).toBeLessThan(5);
    expect(config.slice(1, 4)).toEqual([30 * S, 60 * S, 90 * S]);
    expect(config).toHaveLength(41); // start, then 30 s … 20 min
    expect(times(harness.of('orbit_ping'))).toEqual([0, 5 * MIN, 10 * MIN, 15 * MIN, 20 * MIN]);
    // The remote check's ticker starts with the token (written a few ms after start).
    const written = harness.of('orbit_device_token')[0]!.t;
    expect(times(harness.of('device_token_ping'))).toEqual([5 * MIN, 10 * MIN, 15 * MIN].map((t) => written + t));
    // Desktop: the token check succeeds at start, then the summary every 5 min.
    const desktop = times(harness.of('desktop'));
    expect(desktop[0]).toBeLessThan(5);
    expect(desktop).toHaveLength(4);
    for (let i = 1; i < desktop.length; i++) expect(Math.abs(desktop[i]! - desktop[i - 1]! - 5 * MIN)).toBeLessThan(5);
    const pings = times(harness.of('device_ping'));
    expect(pings[0]).toBeLessThan(5);
    expect(pings.slice(2, 5).map((t) => t - pings[1]!)).toEqual([10 * S, 20 * S, 30 * S]);
    expect(pings).toHaveLength(120);
    expect(harness.of('orbit_enroll')).toHaveLength(1);
    expect(harness.of('orbit_device_token')).toHaveLength(1);
  });

  it('rotates the device token after 1 h at the next 30 s local check; Desktop re-checks the new token within 1 s', () => {
    harness = orbitHarness({ startAt: 0 });
    harness.advance(62 * MIN);
    const writes = harness.of('orbit_device_token');
    // Written a few ms after start; expired 1 h later; seen by the next 30 s local check (60.5 min).
    expect(writes[0]!.t).toBeLessThan(5);
    expect(writes[1]!.t).toBe(60 * MIN + 30 * S);
    expect(writes).toHaveLength(2);
    const [first, second] = writes.map((w) => (JSON.parse(w.body) as { device_auth_token: string }).device_auth_token);
    expect(second).not.toBe(first);
    const desktop = harness.of('desktop').filter((r) => r.path.includes(second!));
    expect(desktop[0]!.t).toBe(60 * MIN + 30 * S + S);
    expect(harness.orbit.counts.rotations).toBe(1);
  });

  it('without Fleet Desktop: no desktop summary and no device ping', () => {
    harness = orbitHarness({ fleetDesktop: false });
    harness.advance(10 * MIN);
    expect(harness.of('desktop')).toHaveLength(0);
    expect(harness.of('device_ping')).toHaveLength(0);
    expect(harness.of('orbit_config').length).toBe(21);
  });

  it('records each orbit endpoint under its own name in the recorder', () => {
    harness = orbitHarness();
    harness.advance(5 * MIN);
    const totals = harness.recorder.totals().endpoints;
    expect(totals.orbit_config!.outcomes['2xx']).toBe(harness.of('orbit_config').length);
    expect(totals.device_ping!.outcomes['2xx']).toBe(harness.of('device_ping').length);
    expect(ORBIT_ENDPOINT_INDEX.orbit_enroll).toBe(5);
  });
});

describe('fleetd_phase: steady', () => {
  it('gives the 5 min and 1 h tickers a seeded phase within their period, then their normal period', () => {
    harness = orbitHarness({ phase: 'steady' });
    harness.advance(62 * MIN);
    const pings = times(harness.of('orbit_ping'));
    expect(pings[1]).toBeGreaterThan(0);
    expect(pings[1]).toBeLessThanOrEqual(5 * MIN + 5);
    expect(new Set(pings.slice(2).map((t, i) => t - pings[i + 1]!))).toEqual(new Set([5 * MIN]));
    const checks = times(harness.of('device_token_ping'));
    expect(checks[0]).toBeLessThanOrEqual(5 * MIN + 5);
    const writes = times(harness.of('orbit_device_token'));
    expect(writes.length).toBeGreaterThanOrEqual(2);
    expect(writes[1]).toBeLessThan(60 * MIN + 31 * S);
    const start = orbitHarness({ phase: 'start' });
    start.advance(62 * MIN);
    // The same host with a fresh start runs its tickers from the start instead.
    expect(times(start.of('orbit_ping'))[1]).toBe(5 * MIN);
    start.close();
  });
});
