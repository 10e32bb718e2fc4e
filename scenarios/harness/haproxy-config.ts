/**
 * haproxy.cfg for the instances `osqsim run` starts (server.load_balancer: haproxy). Pure.
 *
 * What it does, and why (HAProxy 2.6 configuration manual, docs.haproxy.org/2.6/configuration.html):
 * - `mode http` + `balance roundrobin`: each request, not each connection, goes to the next healthy
 *   instance, so a simulator's keep-alive connections still spread their requests over every instance.
 * - Keep-alive on both sides: clients keep their connections (`option http-keep-alive`, the default
 *   mode, stated), and `http-reuse always` lets requests share idle server-side connections, so the
 *   instances see a few long-lived connections instead of one per client.
 * - Health checks: `option httpchk GET /healthz` every second; an instance is out after 2 failed checks
 *   and back after 1 good one (`inter 1s fall 2 rise 1`), so a stopped instance stops getting traffic
 *   within ≈ 2 s.
 * - Failover without errors: a request whose connection to an instance fails, or gets no response
 *   at all (the instance died under it), is sent again to another instance (`retries 3`,
 *   `option redispatch 1`, `retry-on conn-failure empty-response`) instead of answering 503 until the
 *   health checks take the dead instance out. Replaying such a request is safe: osquery writes are
 *   upserts of the host's latest results, and a repeated enroll answers the same host.
 *   (Measured by test/faults/instance-loss.test.ts: docs/RELIABILITY.md "Instance loss".)
 * - Timeouts: connect 2 s, client/server 60 s (a check-in answers in milliseconds; osquery's own request
 *   timeout is longer), queue 10 s, keep-alive idle 60 s. A request no instance takes fails (503) instead of hanging.
 * - Loopback only: the frontend binds 127.0.0.1 on a port the harness chose.
 */

export interface HaproxyConfigInput {
  /** Port the frontend listens on (127.0.0.1). */
  port: number;
  /** The instances' base URLs (http://127.0.0.1:PORT), in instance order. */
  servers: readonly string[];
  /** Health route each instance answers with 200 (osqsim's GET /healthz). */
  healthPath?: string;
  /** Most concurrent client connections (HAProxy's global maxconn). */
  maxConnections?: number;
}

/** `s0`, `s1`, …: the backend's server names, the index of the instance. */
export const haproxyServerName = (index: number): string => `s${index}`;

export function haproxyConfig(input: HaproxyConfigInput): string {
  const health = input.healthPath ?? '/healthz';
  const maxconn = input.maxConnections ?? 4096;
  const servers = input.servers.map((url, i) => {
    const { hostname, port } = new URL(url);
    return `  server ${haproxyServerName(i)} ${hostname}:${port} check`;
  });
  return [
    '# Written by osqsim run (scenarios/harness/haproxy-config.ts) for one run; deleted afterwards.',
    'global',
    `  maxconn ${maxconn}`,
    '',
    'defaults',
    '  mode http',
    '  option http-keep-alive',
    '  http-reuse always',
    '  timeout connect 2s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout queue 10s',
    '  timeout http-keep-alive 60s',
    '  timeout http-request 30s',
    '  retries 3',
    '  option redispatch 1',
    '  retry-on conn-failure empty-response',
    '',
    'frontend osqsim',
    `  bind 127.0.0.1:${input.port}`,
    '  default_backend instances',
    '',
    'backend instances',
    '  balance roundrobin',
    `  option httpchk GET ${health}`,
    '  http-check expect status 200',
    '  default-server inter 1s fall 2 rise 1',
    ...servers,
    '',
  ].join('\n');
}
