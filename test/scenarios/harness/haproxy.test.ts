/**
 * HAProxy in front of instances (server.load_balancer: haproxy): the generated configuration, the
 * real binary (Debian's haproxy package, installed by .ci/run) spreading requests round robin over
 * keep-alive connections, taking an instance out when its health check fails, and clear errors —
 * never a hang — when the binary is missing or no instance is healthy.
 */
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { haproxyConfig } from '../../../scenarios/harness/haproxy-config.js';
import { findHaproxy, freeLoopbackPort, HaproxyProcess } from '../../../scenarios/harness/haproxy-process.js';
import { reportError } from '../../../lib/cli-usage.js';

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

/** A tiny instance: /healthz answers `healthy` (200 or 503), everything else names the instance. */
async function instance(name: string): Promise<{ url: string; hits: () => number; healthy: boolean }> {
  const state = { hits: 0, healthy: true };
  const server: Server = createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(state.healthy ? 200 : 503).end(state.healthy ? 'ok' : 'down');
      return;
    }
    state.hits++;
    res.writeHead(200, { 'content-type': 'text/plain' }).end(name);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    hits: () => state.hits,
    get healthy() {
      return state.healthy;
    },
    set healthy(value: boolean) {
      state.healthy = value;
    },
  };
}

describe('haproxy.cfg', () => {
  it('round robin per request, keep-alive both sides, health checks on /healthz, bounded timeouts, loopback bind', () => {
    const text = haproxyConfig({ port: 18080, servers: ['http://127.0.0.1:4001', 'http://127.0.0.1:4002'] });
    expect(text).toMatch(/^\s+mode http$/m);
    expect(text).toMatch(/^\s+balance roundrobin$/m);
    expect(text).toMatch(/^\s+option http-keep-alive$/m);
    expect(text).toMatch(/^\s+http-reuse always$/m);
    expect(text).toMatch(/^\s+option httpchk GET \/healthz$/m);
    expect(text).toMatch(/^\s+http-check expect status 200$/m);
    expect(text).toMatch(/^\s+default-server inter 1s fall 2 rise 1$/m);
    // A failed connection or a missing response is replayed on another instance (instance loss).
    expect(text).toMatch(/^\s+option redispatch 1$/m);
    expect(text).toMatch(/^\s+retry-on conn-failure empty-response$/m);
    for (const t of ['connect 2s', 'client 60s', 'server 60s', 'queue 10s']) expect(text).toContain(`timeout ${t}`);
    expect(text).toMatch(/^\s+bind 127\.0\.0\.1:18080$/m);
    expect(text).toMatch(/^\s+server s0 127\.0\.0\.1:4001 check$/m);
    expect(text).toMatch(/^\s+server s1 127\.0\.0\.1:4002 check$/m);
  });
});

describe('HAProxy process', () => {
  it('a missing binary is a clear error naming the Debian package and the command', async () => {
    let error: unknown;
    try {
      findHaproxy(['/nonexistent/bin', '/nonexistent/sbin']);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'LOAD_BALANCER_NOT_FOUND' });
    const printed: string[] = [];
    expect(reportError('osqsim run', error, (t) => printed.push(t))).toBe(1);
    expect(printed.join('')).toMatch(/HAProxy is not installed: no haproxy binary in \/nonexistent\/bin, \/nonexistent\/sbin/);
    expect(printed.join('')).toMatch(/apt-get install -y haproxy/);
    const lb = new HaproxyProcess({ servers: ['http://127.0.0.1:1'], binary: '/nonexistent/haproxy' });
    await expect(lb.start()).rejects.toMatchObject({ code: 'LOAD_BALANCER_FAILED' });
  });

  it('spreads requests round robin over the instances on keep-alive connections, and drops an unhealthy one', async () => {
    const instances = await Promise.all(['a', 'b', 'c'].map(instance));
    const lb = new HaproxyProcess({ servers: instances.map((i) => i.url), binary: findHaproxy() });
    cleanups.push(() => lb.stop());
    const url = await lb.start();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // One keep-alive connection: HAProxy still balances each request.
    const agent = new Agent({ connections: 1 });
    cleanups.push(() => agent.close());
    const get = async (): Promise<string> => (await request(`${url}/x`, { dispatcher: agent })).body.text();
    const before = instances.map((i) => i.hits());
    const names: string[] = [];
    for (let n = 0; n < 30; n++) names.push(await get());
    expect(instances.map((i, k) => i.hits() - before[k]!)).toEqual([10, 10, 10]);
    expect(new Set(names)).toEqual(new Set(['a', 'b', 'c']));
    // Instance b fails its health check: out after `fall 2` checks 1 s apart.
    instances[1]!.healthy = false;
    const deadline = Date.now() + 8000;
    let last: string[] = [];
    while (Date.now() < deadline) {
      last = [];
      for (let n = 0; n < 6; n++) last.push(await get());
      if (!last.includes('b')) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(last).not.toContain('b');
    expect(new Set(last)).toEqual(new Set(['a', 'c']));
  }, 30_000);

  it('no healthy instance: a clear error with the configuration and HAProxy\'s output within the ready timeout, not a hang', async () => {
    const closed = await freeLoopbackPort();
    const lb = new HaproxyProcess({ servers: [`http://127.0.0.1:${closed}`], binary: findHaproxy(), readyTimeoutMs: 4000 });
    cleanups.push(() => lb.stop());
    const started = Date.now();
    const error = (await lb.start().catch((e: unknown) => e)) as { code: string; message: string; params: { output: string } };
    expect(Date.now() - started).toBeLessThan(8000);
    expect(error.code).toBe('LOAD_BALANCER_FAILED');
    expect(error.message).toMatch(/not ready within 4000 ms: GET \/healthz through it answered 503 \(no healthy instance\)/);
    expect(error.params.output).toContain(`server s0 127.0.0.1:${closed} check`);
    expect(lb.pid).toBeUndefined();
  }, 20_000);
});
