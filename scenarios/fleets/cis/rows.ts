/**
 * The osquery rows a group of the built-in fleet holds for the CIS-like checks: which checks a group
 * passes is a stable draw per (check, group) against its compliance level, and each check gives
 * the rows of a complying or a failing host (cis/policies.ts).
 */
import { hashString } from '../../../lib/rng.js';
import type { TableRow } from '../../../contract/fleet-spec.js';
import { MOUNT_OPTIONS } from './checks.js';
import { CIS_CHECKS, MOUNT_CHECKS, cisPolicyName, type CisCheck, type CisFamily } from './policies.js';

/**
 * Whether a group complies with a check: a stable pseudo-random draw per (check, group) against
 * the group's compliance level (0..1). The same inputs always give the same answer.
 */
export function complies(check: CisCheck, groupName: string, level: number): boolean {
  return hashString(`${cisPolicyName(check)}\u0000${groupName}`) / 0x100000000 < level;
}

function mountRows(groupName: string, level: number): TableRow[] {
  const byPath = new Map<string, string[]>();
  MOUNT_OPTIONS.forEach(([path, option], index) => {
    const check = MOUNT_CHECKS[index];
    const options = byPath.get(path) ?? [];
    if (check && complies(check, groupName, level)) options.push(option);
    byPath.set(path, options);
  });
  return [...byPath].map(([path, options], i) => ({
    device: 'tmpfs', device_alias: 'tmpfs', path, type: 'tmpfs', blocks_size: 4096, blocks: 2048000 + i, blocks_free: 2040000, blocks_available: 2040000,
    inodes: 4000000, inodes_free: 3999000, flags: ['rw', ...options, 'relatime'].join(','),
  }));
}

/**
 * The rows a host of this group holds for every CIS-like check of its platform, given the group's
 * compliance level (the share of checks it passes).
 */
export function cisRows(family: CisFamily, groupName: string, level: number): Record<string, TableRow[]> {
  const platform = family === 'deb' || family === 'rpm' ? 'linux' : family;
  const tables: Record<string, TableRow[]> = {};
  for (const check of CIS_CHECKS) {
    if (check.platform !== platform) continue;
    for (const [table, rows] of Object.entries(check.rows(family, complies(check, groupName, level)))) {
      (tables[table] ??= []).push(...rows);
    }
  }
  if (platform === 'linux') tables['mounts'] = mountRows(groupName, level);
  return tables;
}
