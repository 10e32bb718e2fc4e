import { describe, expect, it } from 'vitest';
import { benchDocument } from '../../capacity/bench-document.js';
import { optionsFromFlags, tlsBenchOptions, CHECKIN_PARAMS } from '../../capacity/checkin-bench-command.js';
import { formatCheckinBench } from '../../capacity/checkin-bench-format.js';
import { runTlsComparison } from '../../capacity/checkin-bench-tls.js';
import { parseParams } from '../../capacity/bench-params.js';

const flags = { enrollSecret: 'bench-tls', hosts: '20', connections: '2', duration: '1s', seed: '3', apiPrefix: '/api/osquery', timeout: '5s', endpoint: 'read', store: 'memory', connectDuration: '1s' };

describe('osqsim bench checkin --tls', () => {
  it('measures plain HTTP and HTTPS servers of this build side by side, with the handshake cost', async () => {
    const options = tlsBenchOptions(parseParams(CHECKIN_PARAMS, { ...flags, tls: true }));
    const outcome = await runTlsComparison({ ...options, connectConcurrency: 2 });
    const tls = outcome.results.tls!;
    expect(tls.http.target).toMatch(/^http:\/\//);
    expect(tls.https.target).toMatch(/^https:\/\//);
    for (const side of [tls.http, tls.https]) {
      expect(side.requests).toBeGreaterThan(0);
      expect(side.errors).toBe(0);
      expect(side.connect.connections).toBeGreaterThan(0);
      expect(side.connect.failures).toBe(0);
      expect(side.server_cpu_us_per_request).toBeGreaterThan(0);
    }
    // A TLS handshake costs more than a TCP connect, on both ends.
    expect(tls.https.connect.mean_ms).toBeGreaterThan(tls.http.connect.mean_ms);
    const text = formatCheckinBench(benchDocument('checkin', outcome));
    expect(text).toMatch(/server CPU µs \/ request\s+\d/);
    expect(text).toMatch(/ms per connect \/ handshake/);
  }, 120_000);

  it('refuses --target with --tls, and needs --target without it', () => {
    expect(() => tlsBenchOptions(parseParams(CHECKIN_PARAMS, { ...flags, tls: true, target: 'http://127.0.0.1:1' }))).toThrow(/--target.*cannot be combined with --tls/);
    expect(() => optionsFromFlags({ ...flags })).toThrow(/--target.*required/);
  });
});
