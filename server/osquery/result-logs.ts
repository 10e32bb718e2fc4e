/**
 * Scheduled-query results as osquery's TLS logger sends them (`log_type: "result"`), turned into
 * one result set per query — pure functions, after Fleet's SubmitResultLogs
 * (server/service/osquery.go, reference fleet-host-vitals.md §4.4):
 *
 * - each `data` entry has `name` and `unixTime`, and either `snapshot` (an array of rows; logging
 *   type snapshot) or event format `columns` + `action` (differential logging, or snapshot with
 *   osquery's --logger_snapshot_event_type); entries that are not objects or have no name are
 *   dropped, never an error (osquery would re-send them forever);
 * - the name is `pack<d>Global<d><query>` or `pack<d>team-<id><d><query>`, the delimiter being the
 *   character after `pack` (osquery's --pack_delimiter; the query name may contain it);
 * - only the most recent result per query in a request is kept (by unixTime).
 */

export type ResultRowValue = Readonly<Record<string, string>>;

/** Which pack a result came from: the global pack (teamId null) or a team's. */
export interface PackQueryName {
  readonly teamId: number | null;
  readonly queryName: string;
}

export interface ResultLogEntry {
  readonly name: string;
  readonly unixTime: number;
  /** Snapshot rows, or the one row of an event-format entry. */
  readonly rows: readonly ResultRowValue[];
  /** `snapshot` for a snapshot array; otherwise the event's action (added, removed, snapshot). */
  readonly action: string;
  /** A whole snapshot array, or one event-format row. */
  readonly format: 'snapshot' | 'event';
}

/**
 * Fleet's getQueryNameAndTeamIDFromResult: undefined for any other name (a legacy 2017 pack, a
 * query from a config Fleet did not send).
 */
export function parsePackQueryName(name: string): PackQueryName | undefined {
  if (!name.startsWith('pack') || name.length < 6) return undefined;
  const delimiter = name[4]!;
  const rest = name.slice(5);
  const at = rest.indexOf(delimiter);
  if (at <= 0) return undefined;
  const pack = rest.slice(0, at);
  const queryName = rest.slice(at + 1);
  if (queryName === '') return undefined;
  if (pack === 'Global') return { teamId: null, queryName };
  const team = /^team-(\d{1,10})$/.exec(pack);
  return team ? { teamId: Number(team[1]), queryName } : undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** osquery sends every column as a string; anything else is turned into its text (as Fleet's map[string]string would refuse it, kept lenient). */
function toRow(value: unknown): ResultRowValue | undefined {
  if (!isRecord(value)) return undefined;
  const row: Record<string, string> = {};
  for (const [key, cell] of Object.entries(value)) row[key] = typeof cell === 'string' ? cell : JSON.stringify(cell) ?? '';
  return row;
}

/** The entries of a result log request that can be read; the others are dropped (and counted). */
export function parseResultLogEntries(data: readonly unknown[]): { entries: ResultLogEntry[]; dropped: number } {
  const entries: ResultLogEntry[] = [];
  let dropped = 0;
  for (const item of data) {
    if (!isRecord(item) || typeof item['name'] !== 'string' || item['name'] === '') {
      dropped++;
      continue;
    }
    const unixTime = Number(item['unixTime'] ?? item['unix_time'] ?? 0);
    const time = Number.isFinite(unixTime) ? unixTime : 0;
    if (Array.isArray(item['snapshot'])) {
      const rows = item['snapshot'].map(toRow);
      if (rows.some((row) => row === undefined)) {
        dropped++;
        continue;
      }
      entries.push({ name: item['name'], unixTime: time, rows: rows as ResultRowValue[], action: 'snapshot', format: 'snapshot' });
      continue;
    }
    const columns = toRow(item['columns']);
    if (columns === undefined) {
      dropped++;
      continue;
    }
    entries.push({ name: item['name'], unixTime: time, rows: [columns], action: typeof item['action'] === 'string' ? item['action'] : '', format: 'event' });
  }
  return { entries, dropped };
}

export interface LatestResult {
  readonly name: string;
  readonly unixTime: number;
  readonly rows: readonly ResultRowValue[];
}

/**
 * The latest result set per query name (OSQ-B saveResultLogsToQueryReports): the snapshot with
 * the highest unixTime, or the event-format `snapshot` rows of that time regrouped into one set.
 * Differential events (added/removed) are not a report: they are skipped here.
 */
export function latestResultPerQuery(entries: readonly ResultLogEntry[]): LatestResult[] {
  const latest = new Map<string, { unixTime: number; rows: ResultRowValue[] }>();
  for (const entry of entries) {
    if (entry.action !== 'snapshot') continue;
    const current = latest.get(entry.name);
    // Event-format rows of one snapshot arrive one per entry with the same time: regrouped. A
    // snapshot array is a whole set: one of the same time (a re-sent batch) replaces it.
    if (current && entry.unixTime === current.unixTime && entry.format === 'event') current.rows.push(...entry.rows);
    else if (!current || entry.unixTime >= current.unixTime) latest.set(entry.name, { unixTime: entry.unixTime, rows: [...entry.rows] });
  }
  return [...latest].map(([name, { unixTime, rows }]) => ({ name, unixTime, rows }));
}
