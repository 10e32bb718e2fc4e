import { describe, expect, it } from 'vitest';
import { latestResultPerQuery, parsePackQueryName, parseResultLogEntries } from '../../server/osquery/result-logs.js';
import { packsFor, queryContent } from '../../server/osquery/schedule.js';
import { newQueryRecord } from '../../server/store/query-rules.js';

describe('result log names (Fleet getQueryNameAndTeamIDFromResult)', () => {
  it('reads Global and team packs with any delimiter, keeping delimiters inside the query name', () => {
    expect(parsePackQueryName('pack/Global/usb devices')).toEqual({ teamId: null, queryName: 'usb devices' });
    expect(parsePackQueryName('pack:team-12:a:b/c')).toEqual({ teamId: 12, queryName: 'a:b/c' });
    expect(parsePackQueryName('pack_Global_x')).toEqual({ teamId: null, queryName: 'x' });
  });

  it('refuses anything else (legacy packs, bare names, empty parts)', () => {
    for (const name of ['usb', 'pack/legacy/x', 'pack/Global/', 'pack//x', 'pack/team-x/y', 'pack', 'pack/Global', 'packs/Global/x'.replace('packs', 'pac')]) {
      expect(parsePackQueryName(name), name).toBeUndefined();
    }
  });
});

describe('result log entries', () => {
  it('keeps the latest snapshot per query; a re-sent snapshot of the same time replaces, event rows of one time are regrouped', () => {
    const { entries, dropped } = parseResultLogEntries([
      { name: 'a', unixTime: 1, snapshot: [{ x: '1' }] },
      { name: 'a', unixTime: 2, snapshot: [{ x: '2' }] },
      { name: 'a', unixTime: 2, snapshot: [{ x: '3' }] },
      { name: 'b', unixTime: 5, columns: { y: 1 }, action: 'snapshot' },
      { name: 'b', unixTime: 5, columns: { y: 'two' }, action: 'snapshot' },
      { name: 'c', unixTime: 5, columns: { z: '1' }, action: 'added' },
      { snapshot: [] },
      null,
    ]);
    expect(dropped).toBe(2);
    expect(latestResultPerQuery(entries)).toEqual([
      { name: 'a', unixTime: 2, rows: [{ x: '3' }] },
      { name: 'b', unixTime: 5, rows: [{ y: '1' }, { y: 'two' }] },
    ]);
  });
});

describe('config packs (Fleet getPackConfig, Query.ToQueryContent)', () => {
  const q = (name: string, extra: Parameters<typeof newQueryRecord>[0] extends infer I ? Partial<I> : never) =>
    ({ ...newQueryRecord({ teamId: null, name, query: 'SELECT 1', interval: 10, ...extra }), id: 1 });
  it('maps logging types to snapshot/removed and always sends platform and version', () => {
    expect(queryContent(q('s', {}))).toEqual({ query: 'SELECT 1', interval: 10, platform: '', version: '', snapshot: true });
    expect(queryContent(q('d', { logging: 'differential' }))).toEqual({ query: 'SELECT 1', interval: 10, platform: '', version: '', removed: true });
    expect(queryContent(q('i', { logging: 'differential_ignore_removals', platform: 'windows', minOsqueryVersion: '5.0' })))
      .toEqual({ query: 'SELECT 1', interval: 10, platform: 'windows', version: '5.0', removed: false });
  });
  it('leaves out empty packs, and the team pack of a host without a team', () => {
    expect(packsFor(null, [], [])).toBeUndefined();
    expect(packsFor(3, [], [q('t', {})])).toEqual({ 'team-3': { queries: { t: expect.any(Object) } } });
    expect(packsFor(null, [q('g', {})], [q('t', {})])).toEqual({ Global: { queries: { g: expect.any(Object) } } });
  });
});
