/**
 * A host's distributed results until the server accepts them: osquery's `Distributed::results_`
 * (osquery/distributed/distributed.cpp). `runQueries` appends each run's results and calls
 * `flushCompleted`, which sends ALL of them (when there are any) and clears them only when the
 * write succeeded (`if (s.ok()) { results_.clear(); … }`). So a failed write's results stay with the
 * host and go out again, with the next run's, on every following loop until a write is accepted.
 *
 * Differences from osquery, both counted in the run's result (`agents`):
 * - a newer result for the same query name replaces the retained one (osquery would send both under
 *   one key; the server's JSON decoder keeps the last, so the server sees the same);
 * - memory per host is bounded (`retained_results_max_bytes`): beyond it the OLDEST results are
 *   dropped and counted as `write_results_dropped` (osquery's memory would grow instead).
 * Hosts without results hold nothing here (entries exist only between a run and an accepted write).
 */

/** One query's result as the write carries it (JSON fragments, keys already quoted). */
export interface QueryResult {
  /** JSON string of the query name. */
  key: string;
  rowsJson: string;
  /** The status as written (number or quoted string). */
  status: string;
  /** JSON string of the message ("" when OK). */
  message: string;
  /** The `stats` object of this query. */
  stats: string;
  /** For the ground truth: the policy id (-1 for other queries), its SQL and the answer code. */
  policyId: number;
  query: string;
  code: number;
  /** Sent in a write that failed: a later send is a re-send. */
  sentBefore: boolean;
}

export interface RetainedCounts {
  /** Query results kept after a failed write (counted once per failed write). */
  retained: number;
  /** Query results sent again after a failed write. */
  resent: number;
  /** Query results dropped because the host's bound was reached. */
  dropped: number;
}

interface HostResults {
  results: QueryResult[];
  bytes: number;
}

const sizeOf = (r: QueryResult): number => r.key.length * 4 + r.rowsJson.length + r.status.length + r.message.length + r.stats.length + r.query.length + 64;

export class DistributedResults {
  private readonly hosts = new Map<number, HostResults>();
  readonly counts: RetainedCounts = { retained: 0, resent: 0, dropped: 0 };

  constructor(private readonly maxBytesPerHost: number) {}

  has(h: number): boolean {
    return this.hosts.has(h);
  }

  /** Adds a run's results (a newer result for a name replaces the older one). */
  add(h: number, results: readonly QueryResult[]): void {
    if (results.length === 0) return;
    let host = this.hosts.get(h);
    if (host === undefined) {
      host = { results: [], bytes: 0 };
      this.hosts.set(h, host);
    }
    for (const r of results) {
      const old = host.results.findIndex((x) => x.key === r.key);
      if (old !== -1) {
        host.bytes -= sizeOf(host.results[old]!);
        host.results.splice(old, 1);
      }
      host.results.push(r);
      host.bytes += sizeOf(r);
    }
    while (host.bytes > this.maxBytesPerHost && host.results.length > 1) {
      const dropped = host.results.shift()!;
      host.bytes -= sizeOf(dropped);
      this.counts.dropped++;
    }
  }

  /** The write body: the node-key body's fields, then queries, statuses, messages and stats of every result held. */
  body(h: number, keyBody: string): string | undefined {
    const host = this.hosts.get(h);
    if (host === undefined) return undefined;
    const queries: string[] = [];
    const statuses: string[] = [];
    const messages: string[] = [];
    const stats: string[] = [];
    for (const r of host.results) {
      queries.push(`${r.key}:${r.rowsJson}`);
      statuses.push(`${r.key}:${r.status}`);
      messages.push(`${r.key}:${r.message}`);
      stats.push(`${r.key}:${r.stats}`);
      if (r.sentBefore) this.counts.resent++;
    }
    const prefix = keyBody.length > 2 ? `${keyBody.slice(0, -1)},` : '{';
    return `${prefix}"queries":{${queries.join(',')}},"statuses":{${statuses.join(',')}},"messages":{${messages.join(',')}},"stats":{${stats.join(',')}}}`;
  }

  /** The write was accepted: the results leave the host (returned for the ground truth). */
  accepted(h: number): readonly QueryResult[] {
    const host = this.hosts.get(h);
    this.hosts.delete(h);
    return host?.results ?? [];
  }

  /** The write failed (after its attempts): the results stay, to be re-sent with the next loop's. */
  failed(h: number): void {
    const host = this.hosts.get(h);
    if (host === undefined) return;
    for (const r of host.results) r.sentBefore = true;
    this.counts.retained += host.results.length;
  }

  /** The agent process died (a crash): results held in memory are gone; returns how many. */
  lose(h: number): number {
    const n = this.hosts.get(h)?.results.length ?? 0;
    this.hosts.delete(h);
    return n;
  }

  /** Hosts holding results now (for memory tests). */
  get size(): number {
    return this.hosts.size;
  }
}
