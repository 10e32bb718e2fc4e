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

export function fleetRateNote(hosts: number): string {
  const total = FLEET_REQ_PER_S_PER_HOST * hosts;
  return `Fleet published: ${formatNumber(FLEET_REQ_PER_S_PER_HOST, 3)} req/s/host all endpoints, osquery only, at 100k (492loadtest-orbit0) → ${formatNumber(total, 0)} req/s here`;
}
