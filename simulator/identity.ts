/**
 * Who each simulated host is, as pure functions of (seed, global host index).
 *
 * Host placement. A run has N hosts with global indices 0..N-1. Process shards (`--shard k/K`) and
 * the worker threads inside one process interleave rather than slice: shard k owns g ≡ k (mod K),
 * and worker w of W inside it owns the shard's j-th host (g = k + K·j) when j ≡ w (mod W). So every
 * prefix 0..n-1 of hosts is spread evenly over all shards and workers, which is what makes a ramp
 * (raising the active host count while running) balanced, and shards of one run never collide.
 *
 * Group placement. Hosts are assigned to fleet groups by stride scheduling: group i's m-th host sits
 * at key (m + ½)/countᵢ, and hosts take groups in key order. Counts are exact and every prefix of
 * hosts has (within one host) the fleet's mix, so a 10% ramp looks like the whole fleet.
 */
import { createHash, randomUUID } from 'node:crypto';
import { hash32 } from '../lib/rng.js';
import { osqsimError } from '../lib/errors.js';

export interface ShardRef {
  index: number;
  count: number;
}

/** Parses `i/n` (0-based). */
export function parseShard(text: string): ShardRef {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || !(count >= 1) || !(index >= 0) || index >= count) throw osqsimError('SIM_INVALID_SHARD', { value: text });
  return { index, count };
}

/**
 * The run id of a scheduled run (`--start-at`): a pure function of what every shard of the run is
 * given (the shared start, seed, hosts and shard count), so shards on different machines agree on it
 * without talking to each other. `20261205T120000000Z-3f9a1c2e`: readable start, then a digest.
 */
export function scheduledRunId(run: { startAtMs: number; seed: number; hosts: number; shards: number }): string {
  const digest = createHash('sha256').update(`${run.startAtMs}|${run.seed}|${run.hosts}|${run.shards}`).digest('hex').slice(0, 8);
  return `${new Date(run.startAtMs).toISOString().replace(/[-:.]/g, '')}-${digest}`;
}

/** The run id of a run without a shared start: unique, so its shards cannot be mixed up with another run's. */
export function unscheduledRunId(): string {
  return `unscheduled-${randomUUID().slice(0, 13)}`;
}

/** The slice of global host indices one worker owns: g = offset + stride·m for m = 0..size-1. */
export interface HostSlice {
  offset: number;
  stride: number;
  size: number;
}

/** Hosts g < totalHosts with g ≡ offset (mod stride). */
export function sliceSize(totalHosts: number, offset: number, stride: number): number {
  return totalHosts > offset ? Math.ceil((totalHosts - offset) / stride) : 0;
}

/** The slice worker `worker` of `workers` owns in process shard `shard`, for up to `totalHosts` hosts. */
export function workerSlice(totalHosts: number, shard: ShardRef, worker: number, workers: number): HostSlice {
  const offset = shard.index + shard.count * worker;
  const stride = shard.count * workers;
  return { offset, stride, size: sliceSize(totalHosts, offset, stride) };
}

export function globalIndex(slice: HostSlice, local: number): number {
  return slice.offset + slice.stride * local;
}

/** How many of a slice's hosts are active when the run's active host count is `activeHosts`. */
export function activeInSlice(slice: HostSlice, activeHosts: number): number {
  return Math.min(slice.size, sliceSize(activeHosts, slice.offset, slice.stride));
}

/** Hosts the whole shard runs (sum over its workers). */
export function shardHostCount(totalHosts: number, shard: ShardRef): number {
  return sliceSize(totalHosts, shard.index, shard.count);
}

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');

export interface HostIdentity {
  uuid: string;
  hostname: string;
  serial: string;
}

/** Stable, unique per (seed, index): reruns with the same seed re-use the same hosts. */
export function hostIdentity(seed: number, index: number, hostnamePrefix: string): HostIdentity {
  const a = hash32(seed, index, 1);
  const b = hash32(seed, index, 2);
  const c = hash32(seed, index, 3);
  // The index is embedded, so identities are unique even if the hash collided.
  const tail = hex8(c).slice(0, 4) + index.toString(16).padStart(8, '0');
  const uuid = `${hex8(a)}-${hex8(b).slice(0, 4)}-4${hex8(b).slice(5, 8)}-${(8 + (c & 3)).toString(16)}${hex8(c).slice(5, 8)}-${tail}`.toUpperCase();
  const serial = `S${hex8(hash32(seed, 0x5e1a1)).slice(0, 3).toUpperCase()}${index.toString(36).toUpperCase().padStart(7, '0')}`;
  return { uuid, hostname: `${hostnamePrefix}-${index}`, serial };
}

/**
 * Which of a group's `variants` a host answers from (contract/fleet-spec.ts FleetGroupSpec.variants):
 * a stable draw per (seed, global host index), so reruns with the seed give each host the same rows.
 */
export function variantOf(seed: number, index: number, variants: number): number {
  return variants <= 1 ? 0 : hash32(seed, index, 0x7a41a) % variants;
}

/** Exact host counts per group: fixed counts, then the rest shared by weight (largest remainder). */
export function groupCounts(groups: ReadonlyArray<{ count?: number; weight?: number }>, totalHosts: number): number[] {
  const counts = groups.map((g) => g.count ?? 0);
  const fixed = counts.reduce((a, b) => a + b, 0);
  const weightSum = groups.reduce((sum, g) => sum + (g.weight ?? 0), 0);
  const rest = Math.max(0, totalHosts - fixed);
  if (weightSum > 0 && rest > 0) {
    const shares = groups.map((g) => ((g.weight ?? 0) / weightSum) * rest);
    const floors = shares.map(Math.floor);
    let left = rest - floors.reduce((a, b) => a + b, 0);
    const order = shares.map((s, i) => ({ i, frac: s - Math.floor(s) })).sort((x, y) => y.frac - x.frac || x.i - y.i);
    for (const { i } of order) {
      if (left <= 0) break;
      if ((groups[i]!.weight ?? 0) > 0) {
        floors[i]! += 1;
        left--;
      }
    }
    floors.forEach((f, i) => (counts[i]! += f));
  }
  return counts;
}

/** Group index of every global host index 0..N-1 (stride scheduling; see the top of this file). */
export function assignGroups(counts: readonly number[]): Uint16Array {
  const total = counts.reduce((a, b) => a + b, 0);
  const keys = new Float64Array(total);
  const owners = new Uint16Array(total);
  let k = 0;
  counts.forEach((count, group) => {
    for (let m = 0; m < count; m++) {
      keys[k] = (m + 0.5) / count;
      owners[k] = group;
      k++;
    }
  });
  const order = Array.from({ length: total }, (_, i) => i);
  order.sort((x, y) => keys[x]! - keys[y]! || owners[x]! - owners[y]!);
  const result = new Uint16Array(total);
  for (let i = 0; i < total; i++) result[i] = owners[order[i]!]!;
  return result;
}
