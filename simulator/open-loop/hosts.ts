/**
 * The hosts `osqsim bench checkin` enrolls and the bodies it sends. Relies only on the osquery TLS remote
 * API (reference fleet-policies.md §1), so the bench works against osqsim's server and against Fleet.
 */
import { Pool } from 'undici';
import { hash32, unitFloat } from '../../lib/rng.js';

export interface BenchHost {
  index: number;
  identifier: string;
  nodeKey: string;
  /** Query names the server sent on the first read (policies, details, wildcard). */
  firstQueries: string[];
}

const PLATFORMS = [
  { platform: 'darwin', name: 'macOS', version: '14.5.0', major: '14', minor: '5', build: '23F79', platform_like: 'darwin' },
  { platform: 'windows', name: 'Microsoft Windows 11 Pro', version: '10.0.22631', major: '10', minor: '0', build: '22631', platform_like: 'windows' },
  { platform: 'ubuntu', name: 'Ubuntu', version: '22.04.4 LTS (Jammy Jellyfish)', major: '22', minor: '4', build: '', platform_like: 'debian' },
] as const;

function platformOf(index: number, seed: number): (typeof PLATFORMS)[number] {
  // 60% macOS, 25% Windows, 15% Linux: a typical managed fleet.
  const draw = unitFloat(seed, index, 1);
  return draw < 0.6 ? PLATFORMS[0] : draw < 0.85 ? PLATFORMS[1] : PLATFORMS[2];
}

function uuidOf(seed: number, index: number): string {
  const hex = [0, 1, 2, 3].map((part) => hash32(seed, index, part).toString(16).padStart(8, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`.toUpperCase();
}

export function enrollBody(enrollSecret: string, seed: number, index: number): string {
  const os = platformOf(index, seed);
  const uuid = uuidOf(seed, index);
  const hostname = `bench-${seed}-${index}`;
  return JSON.stringify({
    enroll_secret: enrollSecret,
    host_identifier: uuid,
    platform_type: os.platform === 'windows' ? '2' : os.platform === 'darwin' ? '21' : '9',
    host_details: {
      os_version: { name: os.name, version: os.version, major: os.major, minor: os.minor, patch: '0', build: os.build, platform: os.platform, platform_like: os.platform_like, arch: 'x86_64' },
      osquery_info: { version: '5.12.1', build_platform: os.platform, build_distro: os.platform_like, uuid, instance_id: uuid.toLowerCase(), pid: String(1000 + (index % 30000)) },
      system_info: { hostname, uuid, computer_name: hostname, hardware_serial: `SN${hash32(seed, index, 9).toString(36).toUpperCase()}`, cpu_brand: 'Intel(R) Core(TM) i7', physical_memory: '17179869184', hardware_vendor: 'Bench', hardware_model: 'Simulated' },
    },
  });
}

/** Answers to detail queries, shaped like osquery's rows. */
function detailRows(name: string, host: BenchHost, seed: number): Array<Record<string, string>> {
  const os = platformOf(host.index, seed);
  if (name.endsWith('os_version')) return [{ name: os.name, version: os.version, major: os.major, minor: os.minor, patch: '0', build: os.build, platform: os.platform, platform_like: os.platform_like, arch: 'x86_64' }];
  if (name.endsWith('osquery_info')) return [{ version: '5.12.1', build_platform: os.platform, uuid: host.identifier }];
  if (name.endsWith('system_info')) return [{ hostname: `bench-${seed}-${host.index}`, uuid: host.identifier, cpu_brand: 'Intel(R) Core(TM) i7', physical_memory: '17179869184' }];
  if (name.endsWith('uptime')) return [{ total_seconds: String(3600 + (hash32(seed, host.index, 7) % 864000)) }];
  return [{ value: '1' }];
}

/**
 * A realistic distributed/write: every policy the server sent gets an answer that is sticky per
 * (host, policy): 80% pass (one row), 18% fail (no rows), 2% error (status 1, as a missing table does).
 */
export function writeBody(host: BenchHost, seed: number): string {
  const queries: Record<string, Array<Record<string, string>>> = {};
  const statuses: Record<string, number> = {};
  const messages: Record<string, string> = {};
  for (const name of host.firstQueries) {
    if (name.startsWith('fleet_policy_query_')) {
      const draw = unitFloat(seed, host.index, hash32(name.length, name.charCodeAt(name.length - 1), Number(name.slice(19)) || 0));
      if (draw < 0.8) {
        queries[name] = [{ '1': '1' }];
        statuses[name] = 0;
      } else if (draw < 0.98) {
        queries[name] = [];
        statuses[name] = 0;
      } else {
        queries[name] = [];
        statuses[name] = 1;
        messages[name] = 'no such table: bench_missing_table';
      }
    } else if (name === 'fleet_no_policies_wildcard') {
      queries[name] = [{ '1': '1' }];
      statuses[name] = 0;
    } else {
      queries[name] = detailRows(name, host, seed);
      statuses[name] = 0;
    }
  }
  return JSON.stringify({ node_key: host.nodeKey, queries, statuses, messages });
}

export function nodeKeyBody(host: BenchHost): string {
  return JSON.stringify({ node_key: host.nodeKey });
}

export interface PostResult {
  status: number;
  body: string;
}

export async function post(pool: Pool, path: string, body: string): Promise<PostResult> {
  const response = await pool.request({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body });
  return { status: response.statusCode, body: await response.body.text() };
}

/** Runs `task` over 0..count-1 with at most `concurrency` at once. */
export async function forEachLimited(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const index = next++;
      await task(index);
    }
  });
  await Promise.all(workers);
}

export interface EnrollOutcome {
  hosts: BenchHost[];
  duration_ms: number;
  failures: number;
  firstFailure?: string;
}

/** Enrolls `count` hosts; a host whose enroll fails is left out (and counted). */
export async function enrollHosts(pool: Pool, prefix: string, enrollSecret: string, seed: number, count: number, concurrency: number): Promise<EnrollOutcome> {
  const hosts: Array<BenchHost | undefined> = new Array(count);
  let failures = 0;
  let firstFailure: string | undefined;
  const started = performance.now();
  await forEachLimited(count, concurrency, async (index) => {
    try {
      const result = await post(pool, `${prefix}/enroll`, enrollBody(enrollSecret, seed, index));
      const parsed = result.status === 200 ? (JSON.parse(result.body) as { node_key?: string; node_invalid?: boolean }) : {};
      if (typeof parsed.node_key === 'string' && parsed.node_key !== '' && parsed.node_invalid !== true) {
        hosts[index] = { index, identifier: uuidOf(seed, index), nodeKey: parsed.node_key, firstQueries: [] };
        return;
      }
      failures++;
      firstFailure ??= `HTTP ${result.status}: ${result.body.slice(0, 200)}`;
    } catch (error) {
      failures++;
      firstFailure ??= (error as Error).message;
    }
  });
  return {
    hosts: hosts.filter((host): host is BenchHost => host !== undefined),
    duration_ms: performance.now() - started,
    failures,
    ...(firstFailure === undefined ? {} : { firstFailure }),
  };
}

/**
 * Brings hosts to the steady state a real fleet is in: one read (a new host is due everything), the
 * answers written back, so that the measured reads are the idle check-ins that dominate a fleet.
 */
export async function primeHosts(pool: Pool, prefix: string, hosts: BenchHost[], seed: number, concurrency: number): Promise<{ failures: number; policies: number }> {
  let failures = 0;
  let policies = 0;
  await forEachLimited(hosts.length, concurrency, async (i) => {
    const host = hosts[i]!;
    try {
      const read = await post(pool, `${prefix}/distributed/read`, nodeKeyBody(host));
      if (read.status !== 200) {
        failures++;
        return;
      }
      const queries = (JSON.parse(read.body) as { queries?: Record<string, string> }).queries ?? {};
      host.firstQueries = Object.keys(queries).sort();
      policies = Math.max(policies, host.firstQueries.filter((name) => name.startsWith('fleet_policy_query_')).length);
      if (host.firstQueries.length > 0) {
        const write = await post(pool, `${prefix}/distributed/write`, writeBody(host, seed));
        if (write.status !== 200) failures++;
      }
    } catch {
      failures++;
    }
  });
  return { failures, policies };
}
