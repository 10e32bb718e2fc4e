import { describe, expect, it } from 'vitest';
import { formatDurationMs, parseCount, parseDurationMs, parseDurationSeconds, parseSizeBytes } from '../../lib/units.js';

describe('durations', () => {
  it.each([
    ['10s', 10_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['250ms', 250],
    ['1h30m', 5_400_000],
    ['10', 10_000],
    ['1.5s', 1_500],
    ['2d', 172_800_000],
    [' 10s ', 10_000],
  ])('%s → %d ms', (input, expected) => {
    expect(parseDurationMs(input)).toBe(expected);
  });

  it('takes numbers as seconds', () => {
    expect(parseDurationMs(3)).toBe(3000);
    expect(parseDurationSeconds('1m')).toBe(60);
  });

  it.each(['', 'abc', '10x', 's10', '10s junk', '-5s'])('rejects %j with CLI_INVALID_DURATION', (input) => {
    expect(() => parseDurationMs(input)).toThrowError(expect.objectContaining({ code: 'CLI_INVALID_DURATION' }));
  });

  it('rejects negative and non-finite numbers', () => {
    expect(() => parseDurationMs(-1)).toThrow();
    expect(() => parseDurationMs(Number.NaN)).toThrow();
  });

  it.each([
    [850, '850ms'],
    [12_500, '12.5s'],
    [300_000, '5m'],
    [5_400_000, '1h30m'],
    [3_661_000, '1h1m1s'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDurationMs(ms)).toBe(text);
  });
});

describe('sizes', () => {
  it.each([
    ['1048576', 1_048_576],
    ['5MiB', 5 * 1024 * 1024],
    ['512KiB', 512 * 1024],
    ['1GiB', 1024 ** 3],
    ['1kb', 1000],
    ['2 MB', 2_000_000],
  ])('%s → %d bytes', (input, expected) => {
    expect(parseSizeBytes(input)).toBe(expected);
  });

  it.each(['', 'lots', '5XB', '-1'])('rejects %j with CLI_INVALID_SIZE', (input) => {
    expect(() => parseSizeBytes(input)).toThrowError(expect.objectContaining({ code: 'CLI_INVALID_SIZE' }));
  });
});

describe('counts', () => {
  it.each([
    ['1500', 1500], ['1_500', 1500], ['1,500', 1500], ['150k', 150_000], ['1.5K', 1500], ['2m', 2_000_000], [' 7 ', 7],
  ])('reads %j as %d', (input, expected) => {
    expect(parseCount('--hosts', input)).toBe(expected);
  });

  it.each(['', 'x', '-1', '1.5', '1e3', '3g'])('rejects %j naming the option', (input) => {
    expect(() => parseCount('--hosts', input)).toThrowError(expect.objectContaining({ code: 'CLI_INVALID_OPTION', params: expect.objectContaining({ option: '--hosts' }) }));
  });

  it('holds the minimum', () => {
    expect(() => parseCount('--workers', '0', 1)).toThrowError(/--workers.*≥ 1/);
    expect(parseCount('--seed', '0', 0)).toBe(0);
  });
});
