/**
 * What the main thread (pool.ts) and the workers (shard.ts) share, as piscina keeps its protocol in
 * src/common.ts: the task a worker runs, the result it returns, and the messages over its port.
 * Types only, so neither side imports the other (the start-up handshake is described in shard.ts).
 */
import type { MessagePort } from 'node:worker_threads';
import type { AgentSpec, FleetGroupSpec, PolicySpec, ValidatedFleet } from '../contract/fleet-spec.js';
import type { AgentBehaviour } from '../contract/result.js';
import type { EnvironmentData } from './fleet/environment.js';
import type { PolicyTruth } from './fleet/truth.js';
import type { ShardRef } from './identity.js';
import type { RecorderTotals, WorkerWindow } from './recorder.js';
import type { ConnectionMode, TransportKind } from './transport/transport.js';

/** One worker's part of the run: a slice of the hosts, run until the main thread says stop. */
export interface ShardTask {
  worker: number;
  workers: number;
  shard: ShardRef;
  /** Host capacity of the run (the most hosts a ramp may reach); groups are sized on it. */
  capacity: number;
  /** Hosts active at start. */
  hosts: number;
  seed: number;
  agent: AgentSpec;
  fleet: ValidatedFleet;
  policies: PolicySpec[];
  policyNames: Array<[number, string]>;
  enrollSecret: string;
  targets: string[];
  connections: ConnectionMode;
  /** Elastic mode: most sockets per target in this worker (its share of the open-file limit). */
  connectionLimit: number;
  transport?: TransportKind;
  insecure?: boolean;
  /** PEM CA certificates trusted for https targets (instead of the system's roots). */
  ca?: string;
  /** Epoch ms the run starts; absent: the main thread sends it in {type:'start'} once all workers are ready. */
  runStartMs?: number;
  warmupMs: number;
  /** A small catalogue as data (tests); default osquery's catalogue. */
  environment?: EnvironmentData;
  port: MessagePort;
}

/** What a worker returns when its task ends: totals with encoded histograms, counts, truth. */
export interface ShardResult {
  worker: number;
  totals: RecorderTotals;
  truth: PolicyTruth[];
  hosts: number;
  enrolled: number;
  /** The fixed pool over all targets, or 0 when elastic. */
  connections: number;
  /** Most connections in use at once (requests handed to the clients). */
  peakConnections: number;
  maxInFlight: number;
  cachedAnswers: number;
  /** Counts of osquery's failure rules (retained writes, enroll give-ups, crashes …). */
  agents?: AgentBehaviour;
}

/** Main → worker. */
export type MainMessage =
  | { type: 'start'; runStartMs: number }
  | { type: 'stop' }
  | { type: 'setHosts'; hosts: number }
  | { type: 'truth'; id: number };

/** Worker → main: a window every second, truth on request, and the start-up handshake. */
export type WorkerMessage =
  | { type: 'window'; worker: number; window: WorkerWindow }
  | { type: 'truth'; worker: number; id: number; policies: PolicyTruth[] }
  | { type: 'ready'; worker: number }
  | { type: 'started'; worker: number; hosts: number };

/** workerData of threads started ahead of their run (pool.ts startWorkers): what they may prepare. */
export interface WorkerPreparation {
  /** The fleet's groups: their databases are built before the task arrives. */
  groups?: FleetGroupSpec[];
  environment?: EnvironmentData;
}
