/**
 * `osqsim k8s render` flags → RenderOptions. Every check that needs no cluster happens here, so bad
 * input exits 2 before anything is printed: a memory store (each replica would hold its own fleet),
 * more shards than hosts, a start time that is not a time, a scenario that does not validate.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { flowNestingProblem } from '../../lib/yaml-depth.js';
import { osqsimError } from '../../lib/errors.js';
import { parseCount, parseDurationMs } from '../../lib/units.js';
import { parseStoreSpec } from '../../server/store/index.js';
import { resolveScenarioPath } from '../../scenarios/builtin.js';
import { readScenarioDocument, resolveScenarioFiles, scenarioInvalid, scenarioOrThrow } from '../../scenarios/read.js';
import type { ValidationIssue } from '../../scenarios/schema/validate.js';
import { policiesYaml } from '../../capacity/sweep-scenario.js';
import type { RenderOptions, RenderScenario } from './types.js';

export interface RenderFlags {
  hosts: string;
  shards: string;
  image: string;
  store?: string;
  scenario?: string;
  namespace?: string;
  startAt?: string;
  startIn?: string;
  duration?: string;
  seed?: string;
  serverReplicas?: string;
  workers?: string;
  metricsPort?: string;
  resultsClaim?: string;
  enrollSecret?: string;
}

/** Kubernetes refuses a ConfigMap whose data is over 1 MiB (etcd's object limit, with room for metadata). */
const CONFIGMAP_MAX_BYTES = 1_000_000;

const invalid = (option: string, reason: string) => osqsimError('CLI_INVALID_OPTION', { option, reason });

/** RFC 3339 or epoch milliseconds → the RFC 3339 (UTC) every shard is given. */
export function parseStartAt(text: string): string {
  const ms = /^\d{12,}$/.test(text.trim()) ? Number(text) : /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(ms)) throw invalid('--start-at', `expected an RFC 3339 time (2026-12-05T12:00:00Z) or epoch milliseconds (got "${text}")`);
  return new Date(ms).toISOString();
}

/** `2` or `2-10` → HPA minimum and maximum. */
export function parseReplicas(text: string): { min: number; max: number } {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  const min = match ? Number(match[1]) : Number.NaN;
  const max = match?.[2] !== undefined ? Number(match[2]) : min;
  if (!match || !(min >= 1) || max < min) throw invalid('--server-replicas', `expected MIN or MIN-MAX with 1 ≤ MIN ≤ MAX (got "${text}")`);
  return { min, max };
}

/**
 * The scenario made self-contained for a ConfigMap: its policy and fleet files inlined, validated as
 * `osqsim simulate` will read it in the pod (with the run's --hosts).
 */
export function renderScenario(nameOrPath: string, hosts: number): { scenario: RenderScenario; durationMs: number } {
  const file = resolveScenarioPath(nameOrPath);
  let document: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    const tooDeep = flowNestingProblem(text); // lib/yaml-depth.ts: refused before the YAML library sees it
    if (tooDeep !== undefined) throw new Error(tooDeep);
    document = parseYaml(text);
  } catch (error) {
    throw scenarioInvalid(file, [{ path: '(file)', message: `cannot be read as YAML: ${(error as Error).message}` }]);
  }
  const issues: ValidationIssue[] = [];
  const resolved = resolveScenarioFiles(document, dirname(resolve(file)), issues);
  if (issues.length) throw scenarioInvalid(file, issues);
  const validated = scenarioOrThrow(readScenarioDocument(resolved, file, { steadyState: true, overrides: { hosts } }), file);
  // `fleet: builtin` stays a reference: the pods' osqsim has the built-in fleet, whose expanded rows
  // (hundreds of software rows per group) would not fit a ConfigMap.
  const forPods = builtinFleetReference(document) ? { ...(resolved as Record<string, unknown>), fleet: (document as Record<string, unknown>)['fleet'] } : resolved;
  const scenario: RenderScenario = { source: nameOrPath, yaml: stringify(forPods, { lineWidth: 0 }), policiesYaml: policiesYaml(validated) };
  const bytes = Buffer.byteLength(scenario.yaml) + Buffer.byteLength(scenario.policiesYaml ?? '');
  if (bytes > CONFIGMAP_MAX_BYTES) {
    throw invalid('--scenario', `${nameOrPath} with its policies is ${Math.ceil(bytes / 1024)} KiB, more than a ConfigMap holds (1 MiB): use fewer or shorter policies, or bake the scenario into the image`);
  }
  return { scenario, durationMs: validated.duration };
}

/** Whether the scenario names the built-in fleet (`fleet: builtin` or `{builtin: true, …}`) rather than listing groups. */
function builtinFleetReference(document: unknown): boolean {
  if (typeof document !== 'object' || document === null) return false;
  const fleet = (document as Record<string, unknown>)['fleet'];
  return fleet === 'builtin' || (typeof fleet === 'object' && fleet !== null && (fleet as Record<string, unknown>)['builtin'] === true);
}

const secret = (): string => randomBytes(18).toString('base64url');

export function renderOptionsFromFlags(flags: RenderFlags, nowMs: number = Date.now()): RenderOptions {
  const hosts = parseCount('--hosts', flags.hosts, 1);
  const shards = parseCount('--shards', flags.shards, 1);
  if (shards > hosts) throw invalid('--shards', `more shards (${shards}) than hosts (${hosts}): a shard would run no host`);
  if (!/^[a-z0-9]([a-z0-9._\/:@-]*[a-z0-9])?$/i.test(flags.image)) throw invalid('--image', `"${flags.image}" is not an image reference (registry/name:tag)`);
  if (flags.store !== undefined) {
    const spec = parseStoreSpec(flags.store);
    if (spec.kind !== 'mysql') throw invalid('--store', 'server replicas must share one MySQL: give mysql://user:password@host:3306/db, or leave --store out to bundle one');
  }
  if (flags.namespace !== undefined && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(flags.namespace)) {
    throw invalid('--namespace', `"${flags.namespace}" is not a Kubernetes namespace name (lower-case letters, digits, -)`);
  }
  if (flags.startAt !== undefined && flags.startIn !== undefined) throw invalid('--start-at', 'give --start-at or --start-in, not both');
  const startAt = flags.startAt !== undefined ? parseStartAt(flags.startAt) : new Date(Math.ceil((nowMs + parseDurationMs(flags.startIn ?? '5m')) / 60_000) * 60_000).toISOString();
  const read = flags.scenario !== undefined ? renderScenario(flags.scenario, hosts) : undefined;
  const duration = flags.duration ?? (read ? `${Math.round(read.durationMs / 1000)}s` : '10m');
  if (!(parseDurationMs(duration) >= 1000)) throw invalid('--duration', `at least 1s (got "${duration}")`);
  const metricsPort = parseCount('--metrics-port', flags.metricsPort ?? '9464', 1);
  if (metricsPort > 65535 || metricsPort === 8080) throw invalid('--metrics-port', `a free port other than the server's 8080, at most 65535 (got ${metricsPort})`);
  if (flags.resultsClaim !== undefined && !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(flags.resultsClaim)) {
    throw invalid('--results-claim', `"${flags.resultsClaim}" is not a PersistentVolumeClaim name`);
  }
  return {
    hosts,
    shards,
    image: flags.image,
    ...(flags.store !== undefined ? { store: flags.store } : {}),
    ...(read ? { scenario: read.scenario } : {}),
    ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
    startAt,
    duration,
    seed: parseCount('--seed', flags.seed ?? '1', 0),
    serverReplicas: parseReplicas(flags.serverReplicas ?? '2-10'),
    workersPerShard: parseCount('--workers', flags.workers ?? '4', 1),
    metricsPort,
    ...(flags.resultsClaim !== undefined ? { resultsClaim: flags.resultsClaim } : {}),
    enrollSecret: flags.enrollSecret ?? secret(),
    apiToken: secret(),
    mysqlPassword: secret(),
    mysqlRootPassword: secret(),
  };
}
