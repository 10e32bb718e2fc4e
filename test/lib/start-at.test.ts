import { describe, expect, it } from 'vitest';
import { parseStartAt } from '../../lib/start-at.js';
import { scheduledRunId } from '../../simulator/identity.js';

const NOW = Date.parse('2026-12-05T12:00:00Z');

describe('--start-at', () => {
  it('reads RFC 3339 (Z, offsets, fractions) and epoch milliseconds as the same instant', () => {
    const at = Date.parse('2026-12-05T12:00:30Z');
    expect(parseStartAt('2026-12-05T12:00:30Z', NOW)).toBe(at);
    expect(parseStartAt('2026-12-05T13:00:30+01:00', NOW)).toBe(at);
    expect(parseStartAt('2026-12-05t12:00:30.250z', NOW)).toBe(at + 250);
    expect(parseStartAt(String(at), NOW)).toBe(at);
    expect(parseStartAt(String(NOW), NOW)).toBe(NOW);
  });

  it('refuses malformed times, epoch seconds, the past and more than a day ahead, naming the flag (exit 2)', () => {
    const cases: Array<[string, RegExp]> = [
      ['tomorrow', /RFC 3339 time like .* or epoch milliseconds/],
      ['2026-12-05 12:00', /RFC 3339/],
      ['2026-13-45T12:00:00Z', /not a valid date/],
      [String(NOW / 1000 + 30), /looks like epoch seconds/],
      ['2026-12-05T11:59:00Z', /60\.0 s in the past/],
      ['2026-12-07T12:00:00Z', /more than 24 h ahead/],
    ];
    for (const [text, message] of cases) {
      expect(() => parseStartAt(text, NOW), text).toThrow(message);
      expect(() => parseStartAt(text, NOW)).toThrow(expect.objectContaining({ code: 'CLI_INVALID_OPTION' }));
    }
  });

  it('gives every shard of one scheduled run the same run id, and another run another', () => {
    const run = { startAtMs: NOW + 30_000, seed: 1, hosts: 300, shards: 2 };
    expect(scheduledRunId(run)).toBe(scheduledRunId({ ...run }));
    expect(scheduledRunId(run)).toMatch(/^20261205T120030000Z-[0-9a-f]{8}$/);
    for (const other of [{ startAtMs: NOW + 31_000 }, { seed: 2 }, { hosts: 301 }, { shards: 3 }]) expect(scheduledRunId({ ...run, ...other })).not.toBe(scheduledRunId(run));
  });
});
