/**
 * Fleet's published sizing (reference fleet-loadtest.md §0, §2.2): the reference architecture's tiers
 * and its measured request rate per host. A sanity column beside the plan's figures, never an input.
 */
import { formatNumber } from '../lib/format.js';

export interface FleetReference {
  tier: string;
  servers: string;
  database: string;
  source: string;
}

const FLEET_TIERS: ReadonlyArray<{ maxHosts: number; servers: string; database: string }> = [
  { maxHosts: 1_000, servers: '1 task × 512 CPU units / 4 GB', database: 'Aurora db.t4g.medium ×2' },
  { maxHosts: 25_000, servers: '10 tasks × 1024 CPU units (1 vCPU) / 4 GB', database: 'Aurora db.r6g.large ×2' },
  { maxHosts: 150_000, servers: '20 tasks × 1024 CPU units (1 vCPU) / 4 GB', database: 'Aurora db.r6g.4xlarge ×2' },
  { maxHosts: 300_000, servers: '20 tasks × 1024 CPU units (1 vCPU) / 4 GB', database: 'Aurora db.r6g.16xlarge ×2' },
];

export function fleetReferenceFor(hosts: number): FleetReference {
  const tier = FLEET_TIERS.find((candidate) => hosts <= candidate.maxHosts);
  if (tier === undefined) {
    return {
      tier: '> 300,000 hosts',
      servers: 'beyond the published tiers',
      database: 'beyond the published tiers',
      source: 'Fleet published: docs/Deploy/Reference-Architectures.md (tiers end at 300,000 hosts)',
    };
  }
  return {
    tier: `≤ ${tier.maxHosts.toLocaleString('en-US')} hosts`,
    servers: tier.servers,
    database: tier.database,
    source: 'Fleet published: docs/Deploy/Reference-Architectures.md (AWS), fleet-loadtest.md §2.2',
  };
}

/** Fleet's measured request rate per host with osquery only (492loadtest-orbit0: 577.2 M requests / 12 h at 100k). */
export const FLEET_REQ_PER_S_PER_HOST = 577_202_858 / (12 * 3600) / 100_000;

/** With fleetd (orbit + Fleet Desktop) on every host (492loadtest-orbit1: 1,200.1 M requests / 12 h at 100k). */
export const FLEET_FLEETD_REQ_PER_S_PER_HOST = 1_200_141_329 / (12 * 3600) / 100_000;
/** What orbit without Desktop adds per host: orbit/config, the two 5 min pings, the token (fleetd-orbit.md §8, derived: 0.174 − 0.134). */
export const FLEET_ORBIT_ONLY_EXTRA_PER_HOST = 0.04;

/**
 * Fleet's published request rate for `hosts`, with `fleetdShare` of them running fleetd and
 * `desktopShare` of those Fleet Desktop: orbit0's rate plus the share of orbit1's extra (derived).
 */
export function fleetRateNote(hosts: number, fleetdShare = 0, desktopShare = 1): string {
  if (fleetdShare === 0) {
    const total = FLEET_REQ_PER_S_PER_HOST * hosts;
    return `Fleet published: ${formatNumber(FLEET_REQ_PER_S_PER_HOST, 3)} req/s/host all endpoints, osquery only, at 100k (492loadtest-orbit0) → ${formatNumber(total, 0)} req/s here`;
  }
  const desktopExtra = FLEET_FLEETD_REQ_PER_S_PER_HOST - FLEET_REQ_PER_S_PER_HOST;
  const perHost = FLEET_REQ_PER_S_PER_HOST + fleetdShare * (desktopShare * desktopExtra + (1 - desktopShare) * FLEET_ORBIT_ONLY_EXTRA_PER_HOST);
  return `Fleet published: ${formatNumber(FLEET_REQ_PER_S_PER_HOST, 3)} req/s/host osquery only (492loadtest-orbit0), ${formatNumber(FLEET_FLEETD_REQ_PER_S_PER_HOST, 3)} with fleetd + Desktop on every host (492loadtest-orbit1), at 100k → ${formatNumber(perHost, 3)} req/s/host for this mix (derived) → ${formatNumber(perHost * hosts, 0)} req/s here`;
}
