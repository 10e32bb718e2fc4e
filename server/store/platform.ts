/**
 * Fleet's platform mapping (reference fleet-policies.md §2.5, `PlatformFromHost`): the raw osquery
 * platform of a host becomes the Fleet platform that policies name in their `platforms` list.
 * Both stores use it, so policy scoping is identical on memory and MySQL.
 */

/** Raw platforms Fleet counts as Linux distributions. */
export const LINUX_PLATFORMS: readonly string[] = [
  'linux', 'ubuntu', 'debian', 'rhel', 'centos', 'sles', 'kali', 'gentoo', 'amzn', 'pop', 'arch',
  'linuxmint', 'void', 'nixos', 'endeavouros', 'manjaro', 'opensuse-leap', 'opensuse-tumbleweed', 'tuxedo',
];

/** Raw platforms that are already Fleet platforms. */
export const PASS_THROUGH_PLATFORMS: readonly string[] = ['darwin', 'windows', 'chrome', 'CrOS', 'ios', 'ipados'];

const linux = new Set(LINUX_PLATFORMS);
const passThrough = new Set(PASS_THROUGH_PLATFORMS);

/** 'ubuntu' → 'linux', 'darwin' → 'darwin'; unknown or empty → '' (gets only all-platform policies). */
export function fleetPlatformOf(raw: string): string {
  if (linux.has(raw)) return 'linux';
  if (passThrough.has(raw)) return raw;
  return '';
}

/** Splits a policy's comma list ('darwin, linux') into trimmed, non-empty items. */
export function platformList(platforms: string): string[] {
  return platforms.split(',').map((p) => p.trim()).filter((p) => p !== '');
}

/** FIND_IN_SET semantics with '' meaning every platform: does a policy for `platforms` apply to `fleetPlatform`? */
export function platformMatches(platforms: string, fleetPlatform: string): boolean {
  const list = platformList(platforms);
  if (list.length === 0) return true;
  return fleetPlatform !== '' && list.includes(fleetPlatform);
}
