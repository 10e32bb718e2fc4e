/**
 * Deterministic osquery agents that keep a record of every acknowledged policy result (issue 16):
 * each host enrolls, then loops distributed/read → distributed/write (answering every policy the read
 * asked), and every write answered 200 is recorded as (host, policy, passes). Results flip on every
 * write of a host, so a lost write that is not re-sent leaves a stale row that the row-by-row
 * comparison (`compareWithMembership`) sees.
 *
 * A write that fails (5xx, reset, timeout) is not acknowledged: as osquery does with results it could
 * not send, the agent keeps them and the host answers again at its next read (the server leaves a host
 * whose write was not stored due). Every request, its endpoint, status and time is counted per phase,
 * so a test can say what each endpoint answered during an outage.
 */
export type Endpoint = 'enroll' | 'config' | 'distributed/read' | 'distributed/write' | 'log';

export interface AckedAgentsOptions {
  /** Base URL of the server (or its load balancer). */
  readonly url: string;
  readonly enrollSecret: string;
  readonly hosts: number;
  /** Pause between a host's check-ins (ms). */
  readonly intervalMs: number;
  /** Per-request timeout (ms): a request that takes longer counts as failed ('timeout'). */
  readonly requestTimeoutMs?: number;
  /** Host identifiers are `${prefix}-${index}` (default 'acked'). */
  readonly prefix?: string;
}

/** One request's outcome: an HTTP status, or 'reset' / 'timeout' when no answer came. */
export type Outcome = number | 'reset' | 'timeout';

export interface RequestRecord {
  readonly endpoint: Endpoint;
  readonly outcome: Outcome;
  readonly at: number;
  readonly ms: number;
}

interface AgentHost {
  readonly index: number;
  readonly identifier: string;
  nodeKey: string | undefined;
  writes: number;
  /** Results of the last write that was not acknowledged (re-sent when asked again). */
  retained: Map<number, boolean> | undefined;
}

const POLICY_PREFIX = 'fleet_policy_query_';

/** The result host `index` reports for `policyId` in its `write`-th write: flips on every write. */
export function reportedPasses(index: number, policyId: number, write: number): boolean {
  return (index + policyId + write) % 2 === 0;
}

export class AckedAgents {
  private readonly agents: AgentHost[];
  private running = false;
  private loops: Promise<void>[] = [];
  /** Latest acknowledged result per node key and policy id. */
  readonly acknowledged = new Map<string, Map<number, boolean>>();
  readonly requests: RequestRecord[] = [];
  /** Writes answered 200 (each carries one or more policy results). */
  ackedWrites = 0;

  constructor(private readonly options: AckedAgentsOptions) {
    const prefix = options.prefix ?? 'acked';
    this.agents = Array.from({ length: options.hosts }, (_, index) => ({
      index,
      identifier: `${prefix}-${index}`,
      nodeKey: undefined,
      writes: 0,
      retained: undefined,
    }));
  }

  /** Enrolls every host that has no node key yet; returns how many did. */
  async enrollAll(): Promise<number> {
    let enrolled = 0;
    await Promise.all(
      this.agents.map(async (agent) => {
        if (agent.nodeKey === undefined && (await this.enroll(agent))) enrolled += 1;
      }),
    );
    return enrolled;
  }

  /** Starts every host's check-in loop (hosts start spread over one interval). */
  start(): void {
    this.running = true;
    this.loops = this.agents.map(async (agent) => {
      await sleep((agent.index / this.agents.length) * this.options.intervalMs);
      while (this.running) {
        await this.checkIn(agent);
        await sleep(this.options.intervalMs);
      }
    });
  }

  /** Stops the loops after their current check-in. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** One check-in of every host at once (read, then write when policies were asked). */
  async checkInAll(): Promise<void> {
    await Promise.all(this.agents.map((agent) => this.checkIn(agent)));
  }

  /** Hosts holding results the server has not acknowledged. */
  get retained(): number {
    return this.agents.filter((a) => a.retained !== undefined).length;
  }

  /** Requests to `endpoint` in [from, to) by outcome. */
  outcomes(endpoint: Endpoint, from = 0, to = Number.POSITIVE_INFINITY): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.requests) {
      if (r.endpoint !== endpoint || r.at < from || r.at >= to) continue;
      out[String(r.outcome)] = (out[String(r.outcome)] ?? 0) + 1;
    }
    return out;
  }

  /** Node key → identifier, for mapping the record onto the store's host ids. */
  nodeKeys(): string[] {
    return this.agents.flatMap((a) => (a.nodeKey === undefined ? [] : [a.nodeKey]));
  }

  /** An enroll of a fresh host (not part of the loops), to probe the enroll endpoint. */
  async probeEnroll(identifier: string, timeoutMs?: number): Promise<Outcome> {
    const { outcome } = await this.post('enroll', '/api/osquery/enroll', this.enrollBody(identifier), timeoutMs);
    return outcome;
  }

  private enrollBody(identifier: string): unknown {
    return {
      enroll_secret: this.options.enrollSecret,
      host_identifier: identifier,
      host_details: {
        os_version: { platform: 'ubuntu', name: 'Ubuntu', version: '22.04' },
        osquery_info: { version: '5.12.1' },
        system_info: { hostname: identifier, uuid: `uuid-${identifier}` },
      },
    };
  }

  private async enroll(agent: AgentHost): Promise<boolean> {
    const { outcome, body } = await this.post('enroll', '/api/osquery/enroll', this.enrollBody(agent.identifier));
    if (outcome !== 200 || typeof body?.node_key !== 'string') return false;
    agent.nodeKey = body.node_key;
    return true;
  }

  private async checkIn(agent: AgentHost): Promise<void> {
    if (agent.nodeKey === undefined && !(await this.enroll(agent))) return;
    const nodeKey = agent.nodeKey!;
    const read = await this.post('distributed/read', '/api/osquery/distributed/read', { node_key: nodeKey });
    if (read.outcome !== 200) return;
    const asked = Object.keys((read.body?.queries as Record<string, string> | undefined) ?? {});
    const policyIds = asked.filter((n) => n.startsWith(POLICY_PREFIX)).map((n) => Number(n.slice(POLICY_PREFIX.length)));
    if (asked.length === 0) return;
    // Results for this write: what the agent retained, else a fresh run (which flips every result).
    let results = agent.retained;
    if (results === undefined || policyIds.some((id) => !results!.has(id))) {
      agent.writes += 1;
      results = new Map(policyIds.map((id) => [id, reportedPasses(agent.index, id, agent.writes)]));
    }
    const queries: Record<string, unknown[]> = {};
    const statuses: Record<string, number> = {};
    for (const name of asked) {
      const id = name.startsWith(POLICY_PREFIX) ? Number(name.slice(POLICY_PREFIX.length)) : undefined;
      if (id !== undefined && results.has(id)) {
        queries[name] = results.get(id) ? [{ '1': '1' }] : [];
        statuses[name] = 0;
      } else {
        // Label and detail queries: reported as failed (they are not what this client checks).
        queries[name] = [];
        statuses[name] = 1;
      }
    }
    const write = await this.post('distributed/write', '/api/osquery/distributed/write', { node_key: nodeKey, queries, statuses, messages: {} });
    if (write.outcome !== 200) {
      agent.retained = results.size > 0 ? results : undefined;
      return;
    }
    agent.retained = undefined;
    if (results.size === 0) return;
    this.ackedWrites += 1;
    let record = this.acknowledged.get(nodeKey);
    if (record === undefined) this.acknowledged.set(nodeKey, (record = new Map()));
    for (const [id, passes] of results) record.set(id, passes);
  }

  private async post(endpoint: Endpoint, path: string, body: unknown, timeoutMs = this.options.requestTimeoutMs ?? 10_000): Promise<{ outcome: Outcome; body: Record<string, unknown> | undefined }> {
    const started = Date.now();
    let outcome: Outcome;
    let parsed: Record<string, unknown> | undefined;
    try {
      const response = await fetch(`${this.options.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      outcome = response.status;
      const text = await response.text();
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        parsed = undefined;
      }
    } catch (error) {
      outcome = (error as Error).name === 'TimeoutError' ? 'timeout' : 'reset';
    }
    this.requests.push({ endpoint, outcome, at: started, ms: Date.now() - started });
    return { outcome, body: parsed };
  }
}

export interface MembershipRow {
  readonly nodeKey: string;
  readonly policyId: number;
  readonly passes: boolean | null;
}

export interface Comparison {
  /** Acknowledged (host, policy) results compared. */
  readonly compared: number;
  /** Acknowledged results with no row, or a row holding another result. */
  readonly lost: Array<{ nodeKey: string; policyId: number; acknowledged: boolean; stored: boolean | null | undefined }>;
}

/** Compares the record of acknowledged results with the store's policy_membership rows, row by row. */
export function compareWithMembership(acknowledged: ReadonlyMap<string, ReadonlyMap<number, boolean>>, rows: readonly MembershipRow[]): Comparison {
  const stored = new Map<string, boolean | null>(rows.map((r) => [`${r.nodeKey}/${r.policyId}`, r.passes]));
  const lost: Comparison['lost'] = [];
  let compared = 0;
  for (const [nodeKey, results] of acknowledged) {
    for (const [policyId, passes] of results) {
      compared += 1;
      const row = stored.get(`${nodeKey}/${policyId}`);
      if (row !== passes) lost.push({ nodeKey, policyId, acknowledged: passes, stored: row });
    }
  }
  return { compared, lost };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
