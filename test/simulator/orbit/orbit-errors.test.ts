/**
 * fleetd's error handling on a fake clock: orbit enroll retries, config retry + backoff, the 401
 * re-enroll grace period, device-token rotation retries and remote-check failures, Desktop's
 * token-check loop (sources: simulator/orbit/timings.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { orbitHarness, times, type OrbitHarness } from '../fixtures/orbit-clock.js';
import { FLEETD_HTTP_TIMEOUT_MS, desktopTokenCheckWaitMs, nextTickerTick, orbitConfigBackoffMs, orbitEnrollWaitMs, tickAfter, tickAtOrAfter } from '../../../simulator/orbit/timings.js';

const S = 1000;
const MIN = 60 * S;
let harness: OrbitHarness | undefined;
afterEach(() => harness?.close());

const gaps = (t: number[]): number[] => t.slice(1).map((x, i) => x - t[i]!);

describe('pure rules', () => {
  it('enroll waits 10, 20, 40, 80, 160 s and stops after 6 attempts', () => {
    expect([1, 2, 3, 4, 5].map(orbitEnrollWaitMs)).toEqual([10, 20, 40, 80, 160].map((s) => s * S));
    expect(orbitEnrollWaitMs(6)).toBeUndefined();
  });
  it('config backoff is 30 s · 2^n plus up to 10 % jitter, capped at 5 min', () => {
    expect(orbitConfigBackoffMs(1, 0)).toBe(60 * S);
    expect(orbitConfigBackoffMs(1, 0.999)).toBeGreaterThan(65.9 * S);
    expect(orbitConfigBackoffMs(1, 0.999)).toBeLessThan(66 * S);
    expect(orbitConfigBackoffMs(2, 0.5)).toBe(126 * S);
    expect(orbitConfigBackoffMs(4, 0)).toBe(5 * MIN);
  });
  it('Desktop token check waits 5 s, then doubles up to 5 min', () => {
    expect([1, 2, 3, 7, 20].map(desktopTokenCheckWaitMs)).toEqual([5 * S, 10 * S, 20 * S, 5 * MIN, 5 * MIN]);
  });
  it('a Go ticker keeps one missed tick (the loop runs again at once) and drops the rest', () => {
    expect(nextTickerTick(0, 10, 30)).toBe(30);
    expect(nextTickerTick(0, 95, 30)).toBe(95);
    expect(nextTickerTick(0, 30, 30)).toBe(30);
    expect(tickAtOrAfter(0, 95, 30)).toBe(120);
    expect(tickAtOrAfter(0, 90, 30)).toBe(90);
  });
});

describe('orbit enroll', () => {
  it('retries a failing enroll after 10, 20, 40, 80, 160 s, then gives up until the next config tick', () => {
    harness = orbitHarness({ reply: (r) => (r.route === 'orbit_enroll' ? { status: 500, body: '{"error":"down"}' } : undefined) });
    harness.advance(7 * MIN);
    const enrolls = times(harness.of('orbit_enroll'));
    expect(gaps(enrolls.slice(0, 6))).toEqual([10, 20, 40, 80, 160].map((s) => s * S));
    expect(harness.orbit.counts.enroll_gave_up).toBe(1);
    // Gave up at ~310 s; the next config tick (330 s) starts a new sequence.
    expect(enrolls[6]).toBe(330 * S);
    expect(harness.of('orbit_config')).toHaveLength(0);
  });

  it('does not retry a 404', () => {
    harness = orbitHarness({ reply: (r) => (r.route === 'orbit_enroll' && r.index === 0 ? { status: 404, body: '' } : undefined) });
    harness.advance(40 * S);
    expect(times(harness.of('orbit_enroll'))).toHaveLength(2);
    expect(harness.of('orbit_enroll')[1]!.t).toBe(30 * S);
  });
});

describe('orbit config errors', () => {
  it('retries once after 30 s, then backs off 30 s · 2^n (+ ≤ 10 %) up to 5 min; success restores the 30 s ticker', () => {
    harness = orbitHarness({ reply: (r) => (r.route === 'orbit_config' && r.index > 0 && r.t < 15 * MIN ? { status: 500, body: '{"error":"x"}' } : undefined) });
    harness.advance(25 * MIN);
    const t = times(harness.of('orbit_config'));
    const g = gaps(t);
    // t[1] = 30 s fails; retry 30 s later fails → backoff 60–66 s; then a retry 30 s later, …
    expect(t[1]).toBe(30 * S);
    expect(g[1]).toBe(30 * S);
    expect(g[2]).toBeGreaterThanOrEqual(60 * S);
    expect(g[2]).toBeLessThanOrEqual(66 * S);
    expect(g[3]).toBe(30 * S);
    expect(g[4]).toBeGreaterThanOrEqual(120 * S);
    expect(g[4]).toBeLessThanOrEqual(132 * S);
    expect(Math.max(...g)).toBeLessThanOrEqual(5 * MIN);
    const tail = gaps(t.filter((x) => x > 16 * MIN));
    expect(new Set(tail)).toEqual(new Set([30 * S]));
  });

  it('re-enrolls only after 401s have lasted 45 s (unauthenticatedReenrollGracePeriod)', () => {
    harness = orbitHarness({ reply: (r) => (r.route === 'orbit_config' && r.body.includes('orbit-0') && r.t > 0 ? { status: 401, body: '{"error":"invalid orbit node key"}' } : undefined) });
    harness.advance(5 * MIN);
    const configs = times(harness.of('orbit_config'));
    const enrolls = times(harness.of('orbit_enroll'));
    // The first config gets a 401; no 30 s retry (a 4xx): backoff 60–66 s; a 401 again (≥ 45 s:
    // re-enroll armed); backoff 120–132 s; then the next config enrolls first and uses the new key.
    expect(enrolls).toHaveLength(2);
    expect(configs[1]! - configs[0]!).toBeGreaterThanOrEqual(60 * S);
    expect(configs[1]! - configs[0]!).toBeLessThanOrEqual(66 * S);
    expect(enrolls[1]! - configs[1]!).toBeGreaterThanOrEqual(120 * S);
    expect(enrolls[1]! - configs[1]!).toBeLessThanOrEqual(132 * S);
    expect(configs[2]).toBeGreaterThanOrEqual(enrolls[1]!);
    expect(configs[2]! - enrolls[1]!).toBeLessThan(S);
    expect(harness.of('orbit_config').filter((r) => r.body.includes('orbit-0'))).toHaveLength(2);
    expect(harness.of('orbit_config')[2]!.body).toContain('orbit-1');
    expect(harness.orbit.keysOf(0).orbitNodeKey).toBe('orbit-1');
    expect(harness.orbit.counts.reenrolls).toBe(1);
  });

  it('does not retry a 4xx after 30 s: GetConfig retries only network errors and 5xx (client/orbit_client.go)', () => {
    harness = orbitHarness({ reply: (r) => (r.route === 'orbit_config' && r.index === 1 ? { status: 400, body: '{"error":"bad"}' } : undefined) });
    harness.advance(3 * MIN);
    const t = times(harness.of('orbit_config'));
    expect(t[1]).toBe(30 * S);
    // Straight to the loop's backoff (30 s · 2 + ≤ 10 %), not the 30 s retry.
    expect(t[2]! - t[1]!).toBeGreaterThanOrEqual(60 * S);
    expect(t[2]! - t[1]!).toBeLessThanOrEqual(66 * S);
  });
});

describe('device token', () => {
  it('tries a rotation 3 times 5 s apart, then again at the next 30 s local check', () => {
    harness = orbitHarness({ reply: (r) => (r.route === 'orbit_device_token' && r.t < 60 * S ? { status: 500, body: '{}' } : undefined) });
    harness.advance(2 * MIN);
    const writes = times(harness.of('orbit_device_token'));
    expect(gaps(writes.slice(0, 3))).toEqual([5 * S, 5 * S]);
    expect(writes[3]).toBe(30 * S);
    expect(harness.orbit.keysOf(0).deviceToken).toBeDefined();
    // No Desktop traffic before a token was accepted.
    expect(harness.of('desktop').every((d) => d.t >= writes[writes.length - 1]!)).toBe(true);
  });

  it('a failed remote check rotates the token at once', () => {
    harness = orbitHarness({ reply: (r) => (r.route === 'device_token_ping' && r.index === 0 ? { status: 401, body: '' } : undefined) });
    harness.advance(6 * MIN);
    const check = harness.of('device_token_ping')[0]!;
    const writes = harness.of('orbit_device_token');
    expect(writes).toHaveLength(2);
    expect(writes[1]!.t - check.t).toBeLessThan(3);
  });
});

describe('fleetd HTTP client timeout', () => {
  it('every orbit and Desktop request carries fleethttp.DefaultTimeout (60 s), not osquery\'s request_timeout', () => {
    harness = orbitHarness();
    harness.advance(6 * MIN);
    const routes = new Set(harness.sent.map((r) => r.route));
    expect(routes).toEqual(new Set(['orbit_enroll', 'orbit_config', 'orbit_ping', 'orbit_device_token', 'device_token_ping', 'desktop', 'device_ping']));
    expect(new Set(harness.sent.map((r) => r.timeoutMs))).toEqual(new Set([FLEETD_HTTP_TIMEOUT_MS]));
    expect(FLEETD_HTTP_TIMEOUT_MS).toBe(60 * S);
  });
});

describe('a rotation due while orbit has no node key (the fleetd-defaults stall)', () => {
  it('waits for the next 30 s local checks (never 0 ms) and goes out on the first one after the re-enroll', () => {
    // Config 401s from 2 min (no retry on a 4xx: backoff; re-enroll once 401s have lasted 45 s, so the
    // key is dropped at ~330 s), enroll fails until its 6th retry (~640 s), the remote check at
    // ~600 s fails: the rotation it starts finds no key. Before the fix it rescheduled itself at its own tick (tickAtOrAfter(start, tick) = tick)
    // into the slot being drained, forever: with a small drain limit the harness never settles.
    harness = orbitHarness({
      drainLimit: 100,
      reply: (r) =>
        r.route === 'orbit_config' && r.t > 2 * MIN && r.t < 5 * MIN
          ? { status: 401, body: '{"error":"invalid orbit node key","node_invalid":true}' }
          : r.route === 'orbit_enroll' && r.index > 0 && r.index < 6
            ? { status: 500, body: '{}' }
            : r.route === 'device_token_ping' && r.index === 1
              ? { status: 401, body: '' }
              : undefined,
    });
    harness.advance(12 * MIN, 100);
    expect(harness.orbit.counts.reenrolls).toBe(1);
    const check = harness.of('device_token_ping')[1]!.t;
    const enrolls = times(harness.of('orbit_enroll'));
    expect(enrolls).toHaveLength(7);
    // No key from the drop until the last enroll, which is after the failed check.
    expect(enrolls[1]).toBeLessThan(check);
    expect(enrolls[6]).toBeGreaterThan(check);
    const writes = times(harness.of('orbit_device_token'));
    expect(writes).toHaveLength(2);
    // The first local check (30 s ticks from the start at 0) after the key came back.
    expect(writes[1]).toBe(tickAtOrAfter(0, enrolls[6]!, 30 * S));
    expect(writes[1]! % (30 * S)).toBe(0);
    expect(harness.orbit.keysOf(0).orbitNodeKey).toBe('orbit-6');
  });

  it('tickAfter: the next tick strictly after `at`, at least 1 ms later, also with fractional starts', () => {
    expect(tickAfter(0, 90, 30)).toBe(120);
    expect(tickAfter(0, 95, 30)).toBe(120);
    expect(tickAfter(100, 40, 30)).toBe(100);
    expect(tickAfter(100, 100, 30)).toBe(130);
    const start = 1_767_225_600_123.37;
    for (let k = 1; k < 200; k++) {
      const tick = tickAtOrAfter(start, start + k * 30 * S, 30 * S);
      const next = tickAfter(start, tick, 30 * S);
      expect(next - tick).toBeGreaterThan(30 * S - 1);
      expect(next - tick).toBeLessThan(30 * S + 1);
    }
  });
});

describe('a slow server', () => {
  it('writes the first device token once although config ticks pass while it is in flight; loops slower than their period run back to back', () => {
    harness = orbitHarness({ latencyMs: 40 * S });
    harness.advance(5 * MIN, 5);
    expect(harness.of('orbit_device_token')).toHaveLength(1);
    const config = times(harness.of('orbit_config'));
    // 40 s per request, 30 s ticker: the buffered tick sends the next one as soon as the last ends.
    expect(new Set(gaps(config))).toEqual(new Set([40 * S]));
    const pings = times(harness.of('device_ping'));
    expect(new Set(gaps(pings))).toEqual(new Set([40 * S]));
  });
});

describe('Fleet Desktop', () => {
  it('checks the token every 5 s (backing off) until the summary succeeds; 402 counts as success', () => {
    harness = orbitHarness({ reply: (r) => (r.route === 'desktop' ? (r.index < 3 ? { status: 401, body: '' } : { status: 402, body: '{}' }) : undefined) });
    harness.advance(10 * MIN);
    const d = times(harness.of('desktop'));
    expect(gaps(d.slice(0, 4))).toEqual([5 * S, 10 * S, 20 * S]);
    expect(d[4]! - d[3]!).toBe(5 * MIN);
  });

  it('a 401 on the summary goes back to the token check loop', () => {
    harness = orbitHarness({ reply: (r) => (r.route === 'desktop' && r.index === 1 ? { status: 401, body: '' } : undefined) });
    harness.advance(7 * MIN);
    const d = times(harness.of('desktop'));
    expect(d[2]! - d[1]!).toBe(5 * S);
  });

  it('keeps pinging every 10 s while the server is unreachable', () => {
    harness = orbitHarness({ reply: (r) => (r.route === 'device_ping' && r.t > 30 * S ? 'connect' : undefined) });
    harness.advance(2 * MIN);
    const p = times(harness.of('device_ping'));
    expect(new Set(gaps(p.slice(1)))).toEqual(new Set([10 * S]));
  });
});
