/**
 * Fleet's platform mapping, the one copy every part uses (server scoping, scenario validation and
 * planning, the simulator's table catalogue).
 *
 * Fleet: fleetdm/fleet server/fleet/hosts.go `PlatformFromHost` (and `IsLinux` over
 * `HostLinuxOSs`): the raw osquery platform of a host (`os_version.platform`, a Linux distribution
 * id on Linux) becomes the Fleet platform that policies name in their `platforms` list. The match is
 * exact, as in Fleet: osquery reports these names in lower case (except ChromeOS custom agents'
 * `CrOS`), so `Ubuntu` maps to '' there. Scenario files are friendlier: `canonicalRawPlatform`
 * turns a hand-written `Ubuntu` into the `ubuntu` an agent reports, before anything is sent.
 */

/** Raw platforms Fleet counts as Linux distributions (`fleet.HostLinuxOSs`). */
export const LINUX_PLATFORMS: readonly string[] = [
  'linux', 'ubuntu', 'debian', 'rhel', 'centos', 'sles', 'kali', 'gentoo', 'amzn', 'pop', 'arch',
  'linuxmint', 'void', 'nixos', 'endeavouros', 'manjaro', 'opensuse-leap', 'opensuse-tumbleweed', 'tuxedo',
];

/** Raw platforms that are already Fleet platforms. */
export const PASS_THROUGH_PLATFORMS: readonly string[] = ['darwin', 'windows', 'chrome', 'CrOS', 'ios', 'ipados'];

/** Every raw platform Fleet maps to a non-empty platform, as osquery spells it. */
export const KNOWN_RAW_PLATFORMS: readonly string[] = [...PASS_THROUGH_PLATFORMS, ...LINUX_PLATFORMS];

/** The platforms a policy's `platforms` list may name (Fleet's policy platforms). */
export const POLICY_PLATFORMS: readonly string[] = ['darwin', 'windows', 'linux', 'chrome'];

const linux = new Set(LINUX_PLATFORMS);
const passThrough = new Set(PASS_THROUGH_PLATFORMS);
const byLowerCase = new Map(KNOWN_RAW_PLATFORMS.map((p) => [p.toLowerCase(), p]));

/** Fleet's `PlatformFromHost`: 'ubuntu' → 'linux', 'darwin' → 'darwin'; unknown, empty or mis-cased → ''. */
export function fleetPlatformOf(raw: string): string {
  if (linux.has(raw)) return 'linux';
  if (passThrough.has(raw)) return raw;
  return '';
}

/**
 * The raw platform as osquery reports it for a name written by hand (' Ubuntu ' → 'ubuntu',
 * 'cros' → 'CrOS'); undefined when Fleet knows no such platform.
 */
export function canonicalRawPlatform(text: string): string | undefined {
  return byLowerCase.get(text.trim().toLowerCase());
}

/** Splits a policy's comma list ('darwin, linux') into trimmed, non-empty items. */
export function platformList(platforms: string): string[] {
  return platforms.split(',').map((p) => p.trim()).filter((p) => p !== '');
}

/** A policy's platform list as Fleet stores it: trimmed items joined by commas (' darwin, linux' → 'darwin,linux'). */
export function normalisePlatformList(platforms: string): string {
  return platformList(platforms).join(',');
}

/** FIND_IN_SET semantics with '' meaning every platform: does a policy for `platforms` apply to `fleetPlatform`? */
export function platformMatches(platforms: string, fleetPlatform: string): boolean {
  const list = platformList(platforms);
  if (list.length === 0) return true;
  return fleetPlatform !== '' && list.includes(fleetPlatform);
}
