/**
 * Server CPU per request, per endpoint. From outside the process, CPU time cannot be split between the
 * endpoints of a mixed load, and a sweep's mix (short policy intervals, so that writes happen inside
 * the window) is not the mix of the fleet being planned (1 h intervals). So after the sweep's steps the
 * probe drives one endpoint at a time at a fixed rate against the same server and charges the CPU time
 * above idle to that endpoint: marginal CPU-ms per read, write and config request.
 */
import { Pool } from 'undici';
import { enrollHosts, nodeKeyBody, primeHosts, writeBody } from '../simulator/open-loop/hosts.js';
import { runOpenLoop } from '../simulator/open-loop/driver.js';
import { processStats } from '../scenarios/harness/proc.js';
import type { CpuProbe, PlanEndpoint } from './sweep-document.js';

export interface CpuProbeOptions {
  url: string;
  /** The server's process (undefined: gone, and the probe answers null). */
  pid: number | undefined;
  enrollSecret: string;
  hosts: number;
  ratePerS: number;
  seconds: number;
  /** Seed of the probe's host identities (kept apart from the scenario's hosts). */
  seed: number;
  /** PEM CA to trust when the server is https (a self-signed osqsim server's ca.pem). */
  ca?: string;
}

const PROBED: ReadonlyArray<Exclude<PlanEndpoint, 'log'>> = ['read', 'write', 'config'];
const PATHS = { read: '/api/osquery/distributed/read', write: '/api/osquery/distributed/write', config: '/api/osquery/config' } as const;

function cpuOver(pid: number | undefined, run: () => Promise<void>): Promise<{ cpuMs: number; seconds: number } | null> {
  const before = processStats(pid);
  return run().then(() => {
    const after = processStats(pid);
    if (!before || !after) return null;
    return { cpuMs: after.cpuMs - before.cpuMs, seconds: (after.atMs - before.atMs) / 1000 };
  });
}

export async function probeCpu(options: CpuProbeOptions): Promise<CpuProbe | null> {
  const origin = new URL(options.url).origin;
  const pool = new Pool(origin, { connections: 16, pipelining: 1, ...(options.ca !== undefined ? { connect: { ca: options.ca } } : {}) });
  try {
    const enrolled = await enrollHosts(pool, '/api/osquery', options.enrollSecret, options.seed, options.hosts, 16);
    if (enrolled.hosts.length === 0) return null;
    await primeHosts(pool, '/api/osquery', enrolled.hosts, options.seed, 16);
    // Let the probe's own enrolment settle (last-seen flush, ingest batches) before measuring idle.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const idle = await cpuOver(options.pid, () => new Promise((resolve) => setTimeout(resolve, options.seconds * 1000)));
    if (!idle) return null;
    const idlePerS = idle.cpuMs / idle.seconds;
    const endpoints: CpuProbe['endpoints'] = {};
    for (const endpoint of PROBED) {
      const bodies = enrolled.hosts.map((host) => (endpoint === 'write' ? writeBody(host, options.seed) : nodeKeyBody(host)));
      let completed = 0;
      const measured = await cpuOver(options.pid, async () => {
        const run = await runOpenLoop({ pool, path: PATHS[endpoint], bodies, ratePerS: options.ratePerS, durationMs: options.seconds * 1000, connections: 16 });
        completed = Object.entries(run.statusCodes).reduce((sum, [code, count]) => sum + (code.startsWith('2') ? count : 0), 0);
      });
      if (!measured || completed === 0) continue;
      endpoints[endpoint] = {
        requests: completed,
        rate_per_s: completed / measured.seconds,
        cpu_ms_per_req: Math.max(0, (measured.cpuMs - idlePerS * measured.seconds) / completed),
      };
    }
    return { hosts: enrolled.hosts.length, seconds: options.seconds, rate_per_s: options.ratePerS, idle_cpu_ms_per_s: idlePerS, endpoints };
  } finally {
    await pool.close();
  }
}
