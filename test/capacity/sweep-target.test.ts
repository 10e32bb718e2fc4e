/**
 * `osqsim capacity sweep --target URL`: a sweep of a server osqsim did not start. The server here is
 * started separately (its own process, its own flags, as a staging deployment would be); the sweep
 * only reaches it over HTTP. It must measure the simulator's side, read the server's /metrics and
 * stats runs where they exist, and name what it cannot measure instead of reporting zeros.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type Server } from 'node:http';
import { classifyMetrics, notMeasured, runTargetSweep } from '../../capacity/sweep-target.js';
import { targetFromFlags } from '../../cli/capacity.js';
import { renderCapacityHtml } from '../../capacity/html.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const tinyScenario = join(here, 'tiny-sweep.yaml');
const bin = join(here, '..', '..', 'bin', 'osqsim.js');

let server: ChildProcess;
let url = '';
const TOKEN = 'target-sweep-token';
const SECRET = 'staging-secret';

beforeAll(async () => {
  // The target's own settings, matching the tiny scenario's agents: 2 s check-ins, policies every 4 s, counts every 2 s.
  server = spawn(process.execPath, [bin, 'server', '--host', '127.0.0.1', '--port', '0', '--enroll-secret', SECRET, '--api-token', TOKEN,
    '--distributed-interval', '2s', '--policy-update-interval', '4s', '--max-jitter-percent', '0', '--stats-interval', '2s', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${seen}`)), 30_000);
    server.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
  });
}, 40_000);

afterAll(() => {
  server?.kill('SIGTERM');
});

describe('capacity sweep --target', () => {
  it('sweeps a server it did not start: simulator figures, the server\'s /metrics and stats runs, and no made-up CPU', { timeout: 120_000 }, async () => {
    const lines: string[] = [];
    const sweep = await runTargetSweep({
      target: url,
      apiToken: TOKEN,
      enrollSecret: SECRET,
      scenarioFile: tinyScenario,
      from: 10,
      to: 20,
      steps: 2,
      until: ['read.p99 > 30s'],
      warmupMs: 4000,
      measureMs: 4000,
      workers: 1,
      onProgress: (line) => lines.push(line),
    });
    expect(sweep.stopped.reason, sweep.stopped.detail).toBe('completed');
    expect(sweep.target).toMatchObject({ url, metrics: 'osqsim' });
    expect(sweep.target!.not_measured.join('\n')).toMatch(/server CPU and memory/);
    expect(sweep.target!.not_measured.join('\n')).toMatch(/store figures/);
    expect(lines.some((line) => /^not measured: server CPU and memory/.test(line))).toBe(true);
    expect(sweep.steps.map((s) => s.hosts)).toEqual([10, 20]);
    for (const step of sweep.steps) {
      // No /proc of the target: no server CPU or RSS at all, rather than zeros.
      expect(step.server).toBeNull();
      expect(step.endpoints.read!.rate_per_s).toBeGreaterThan(0);
      expect(step.errors_rate).toBe(0);
      // The target's /metrics saw the same traffic the simulator sent (2 s check-ins: ≈ hosts / 2 reads/s).
      expect(step.server_metrics!.requests_per_s).toBeGreaterThan(0);
      expect(step.server_metrics!.requests_per_s / step.requests_per_s).toBeGreaterThan(0.6);
      expect(step.server_metrics!.requests_per_s / step.requests_per_s).toBeLessThan(1.6);
      expect(step.aggregations.length).toBeGreaterThan(0);
    }
    expect(sweep.steps[1]!.endpoints.read!.rate_per_s).toBeGreaterThan(sweep.steps[0]!.endpoints.read!.rate_per_s);
    // The capacity report says the same.
    const html = renderCapacityHtml(sweep);
    expect(html).toContain('Target not started by osqsim');
    expect(html).toMatch(/<li>server CPU and memory \(RSS\)/);
  });

  it('says which figures it cannot measure on a target without osqsim\'s /metrics or a token', async () => {
    expect(classifyMetrics('# HELP fleet_x y\n# TYPE fleet_x counter\nfleet_x 1\n')).toBe('other');
    expect(classifyMetrics('<html>login</html>')).toBe('none');
    expect(classifyMetrics(await fetch(`${url}/metrics`).then((r) => r.text()))).toBe('osqsim');
    const none = notMeasured('none', false).join('\n');
    expect(none).toMatch(/server-side request, error and membership-row counts: the target has no readable \/metrics/);
    expect(none).toMatch(/aggregation runs .* give --api-token/);
    expect(notMeasured('osqsim', true)).toHaveLength(3);
  });

  it('fails at once, naming the target, when nothing answers there', async () => {
    const closed: Server = createServer();
    const port = await new Promise<number>((resolve) => closed.listen(0, '127.0.0.1', () => resolve((closed.address() as { port: number }).port)));
    await new Promise((resolve) => closed.close(resolve));
    const started = Date.now();
    await expect(runTargetSweep({ target: `http://127.0.0.1:${port}`, scenarioFile: tinyScenario, from: 10, to: 10, steps: 1, until: [], warmupMs: 4000, measureMs: 4000 }))
      .rejects.toThrow(new RegExp(`cannot reach target http://127\\.0\\.0\\.1:${port}: ECONNREFUSED`));
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses flags that only make sense for its own server, and a target that is not a URL', () => {
    expect(() => targetFromFlags({ target: 'staging:8080' })).toThrow(/--target: "staging:8080" must be http/);
    expect(() => targetFromFlags({ target: 'not a url' })).toThrow(/--target: "not a url" is not a URL/);
    expect(() => targetFromFlags({ target: url, store: 'memory' })).toThrow(/--store: not with --target/);
    expect(() => targetFromFlags({ apiToken: 'x' })).toThrow(/--api-token: only with --target/);
    expect(targetFromFlags({ target: url, apiToken: 't' })).toEqual({ target: url, apiToken: 't' });
    expect(targetFromFlags({})).toBeUndefined();
  });
});
