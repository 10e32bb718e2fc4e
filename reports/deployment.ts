/**
 * The deployment section of summary.md (and report.html): how many server instances ran behind which
 * load balancer, each instance's requests, CPU and RSS, and which instance held the stats lease when
 * (one row per stretch of consecutive count runs on the same instance). Pure.
 */
import type { DeploymentInfo } from '../contract/result.js';
import { fmtInt } from './headline.js';

/** Consecutive count runs on one instance → one stretch: instance, from t, to t, runs. */
export function leaseStretches(info: DeploymentInfo): Array<{ instance: number; from_t: number; to_t: number; runs: number }> {
  const stretches: Array<{ instance: number; from_t: number; to_t: number; runs: number }> = [];
  for (const hold of info.stats_lease) {
    const last = stretches[stretches.length - 1];
    const end = Math.round((hold.t + hold.duration_ms / 1000) * 10) / 10;
    if (last && last.instance === hold.instance) {
      last.to_t = end;
      last.runs++;
    } else stretches.push({ instance: hold.instance, from_t: hold.t, to_t: end, runs: 1 });
  }
  return stretches;
}

export function renderDeployment(info: DeploymentInfo): string[] {
  const lines: string[] = [];
  const lb = info.load_balancer === 'haproxy' ? `HAProxy (round robin) at ${info.targets.join(', ')}` : `no load balancer (the simulator spread hosts over ${info.targets.join(', ')})`;
  const count = info.instances.length || 1;
  lines.push(`Deployment: ${count} server instance${count === 1 ? '' : 's'}, ${lb}; simulator in ${info.simulator_processes} process${info.simulator_processes === 1 ? '' : 'es'}.`);
  lines.push('');
  if (info.instances.length > 0) {
    const total = info.instances.reduce((s, i) => s + i.requests, 0);
    lines.push('| instance | URL | agent requests | share | CPU avg / max | RSS max | count runs (stats lease) |');
    lines.push('|---:|---|---:|---:|---:|---:|---:|');
    for (const i of info.instances) {
      const share = total > 0 ? `${((i.requests / total) * 100).toFixed(1)}%` : '–';
      lines.push(`| ${i.index} | ${i.url} | ${fmtInt(i.requests)} | ${share} | ${i.cpu_pct_mean.toFixed(0)}% / ${i.cpu_pct_max.toFixed(0)}% | ${i.rss_mb_max.toFixed(0)} MB | ${i.stats_runs} |`);
    }
    lines.push('');
    const stretches = leaseStretches(info);
    if (stretches.length > 0) {
      lines.push('| stats lease held by | from t | to t | count runs |');
      lines.push('|---:|---:|---:|---:|');
      for (const s of stretches) lines.push(`| ${s.instance < 0 ? 'unknown instance' : `instance ${s.instance}`} | ${s.from_t.toFixed(1)}s | ${s.to_t.toFixed(1)}s | ${s.runs} |`);
      lines.push('');
    }
    lines.push(info.lease_overlap_s === 0 ? 'One lease holder at a time: no second in which two instances reported holding the stats lease.' : `**${info.lease_overlap_s} s in which more than one instance reported holding the stats lease.**`);
    lines.push('');
  }
  return lines;
}
