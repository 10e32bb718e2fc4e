import { describe, expect, it } from 'vitest';
import { canonicalRawPlatform, fleetPlatformOf, normalisePlatformList, platformList, platformMatches } from '../../contract/platforms.js';

describe("fleetPlatformOf (Fleet's PlatformFromHost: exact match)", () => {
  it.each([
    ['ubuntu', 'linux'], ['rhel', 'linux'], ['debian', 'linux'], ['amzn', 'linux'], ['opensuse-leap', 'linux'], ['linux', 'linux'],
    ['darwin', 'darwin'], ['windows', 'windows'], ['chrome', 'chrome'], ['CrOS', 'CrOS'], ['ios', 'ios'], ['ipados', 'ipados'],
    ['', ''], ['freebsd', ''], ['Ubuntu', ''],
  ])('%s → %s', (raw, fleet) => {
    expect(fleetPlatformOf(raw)).toBe(fleet);
  });
});

describe('canonicalRawPlatform (scenario files written by hand)', () => {
  it.each([
    ['Ubuntu', 'ubuntu'], [' RHEL ', 'rhel'], ['Darwin', 'darwin'], ['cros', 'CrOS'], ['ipados', 'ipados'],
  ])('%j → %s', (text, raw) => {
    expect(canonicalRawPlatform(text)).toBe(raw);
    expect(fleetPlatformOf(canonicalRawPlatform(text)!)).not.toBe('');
  });

  it('knows no other platform', () => {
    expect(canonicalRawPlatform('freebsd')).toBeUndefined();
    expect(canonicalRawPlatform('')).toBeUndefined();
  });
});

describe('policy platform lists', () => {
  it('are stored trimmed and comma-joined, as Fleet stores them', () => {
    expect(normalisePlatformList(' darwin , linux,,windows ')).toBe('darwin,linux,windows');
    expect(platformList('')).toEqual([]);
  });

  it("match with FIND_IN_SET semantics, '' meaning every platform", () => {
    expect(platformMatches('', 'linux')).toBe(true);
    expect(platformMatches('', '')).toBe(true);
    expect(platformMatches('darwin,linux', 'linux')).toBe(true);
    expect(platformMatches('darwin', 'linux')).toBe(false);
    expect(platformMatches('linux', '')).toBe(false);
  });
});
