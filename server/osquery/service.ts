/**
 * The osquery remote API's behaviour (reference fleet-policies.md §1–§3, Fleet's 2024 behaviour),
 * independent of HTTP: enroll, config, distributed read/write, log. Routes (./index.ts) only parse
 * and answer.
 */
import { randomBytes } from 'node:crypto';
import { osqsimError } from '../../lib/errors.js';
import type { ServerContext } from '../context.js';
import type { Counter } from '../metrics.js';
import { LastSeenBatcher } from '../ingest/last-seen.js';
import { PolicyIngest } from '../ingest/policy-ingest.js';
import { fleetPlatformOf } from '../../contract/platforms.js';
import type { HostIdentity, HostVitalsReport, PolicyPasses } from '../store/store.js';
import {
  DETAIL_QUERIES_BY_NAME,
  MAX_HOST_FIELD_LENGTH,
  clipHostField,
  detailQueriesFor,
  osVersionName,
  type ResultRow,
} from './detail-queries.js';
import { type VitalsPiece, isEmptyPiece, mergePiece } from './detail-ingest.js';
import { dueForDetails, dueForLabels, dueForPolicies } from './due.js';
import { HostCache, PolicyScopeCache, type CachedHost, type ScopedPolicy } from './host-cache.js';
import { HostChangeFeed } from './host-feed.js';
import { JitterTables } from './jitter.js';
import { LABEL_QUERY_PREFIX, labelIdOf, labelResultOf, policiesInLabelScope } from './labels.js';
import type { EnrollRequest, LogRequest, WriteRequest } from './requests.js';
import { packsFor, QueryScheduleCache, ResultLogIngest, type ResultLogSummary } from './schedule.js';

export const POLICY_QUERY_PREFIX = 'fleet_policy_query_';
export const NO_POLICIES_WILDCARD = 'fleet_no_policies_wildcard';
export const ALWAYS_TRUE_QUERY = 'SELECT 1';
/** Fleet's osquery.node_key_size: 24 random bytes, base64 (32 characters). */
export const NODE_KEY_BYTES = 24;
/** accelerate while the host is still enrolling (platform or hostname unknown). */
export const ENROLLING_ACCELERATE_SECONDS = 10;

export interface DistributedReadResponse {
  queries: Record<string, string>;
  discovery: Record<string, string>;
  accelerate?: number;
}

/** The idle answer, serialised once. */
export const EMPTY_READ_BODY = '{"queries":{},"discovery":{}}';

/** A host's answered edits right after a policy run (shared: no allocation per run). */
const NO_EDITS_ANSWERED: readonly ScopedPolicy[] = Object.freeze([]);

const sameVersion = (a: ScopedPolicy, b: ScopedPolicy): boolean => a.id === b.id && a.queryChangedAt === b.queryChangedAt;

/**
 * `answered` plus the versions an edited-only write answered: the version its read sent (a later
 * edit of the same policy stays owed), else — a read served elsewhere — the current one.
 */
export function withAnswered(
  answered: readonly ScopedPolicy[],
  results: ReadonlyArray<{ readonly policyId: number }>,
  sent: readonly ScopedPolicy[] | undefined,
  current: ReadonlyMap<number, ScopedPolicy>,
): readonly ScopedPolicy[] {
  const next = [...answered];
  for (const { policyId } of results) {
    const version = sent?.find((policy) => policy.id === policyId) ?? current.get(policyId);
    if (version === undefined) continue;
    const at = next.findIndex((done) => done.id === policyId);
    if (at >= 0) next[at] = version;
    else next.push(version);
  }
  return next;
}

export function newNodeKey(): string {
  return randomBytes(NODE_KEY_BYTES).toString('base64');
}

/** Pass/fail/unknown (§3.1 step 3): status ≠ 0 → null; otherwise ≥ 1 row passes, 0 rows fails. */
export function policyResultOf(rows: readonly ResultRow[], status: number | undefined): PolicyPasses {
  if (status !== undefined && status !== 0) return null;
  return rows.length > 0;
}

/** The policy id of a `fleet_policy_query_<id>` name, or undefined if the suffix is not a decimal id. */
export function policyIdOf(name: string): number | undefined {
  if (!name.startsWith(POLICY_QUERY_PREFIX)) return undefined;
  const suffix = name.slice(POLICY_QUERY_PREFIX.length);
  if (!/^\d{1,15}$/.test(suffix)) return undefined;
  const id = Number(suffix);
  return id > 0 ? id : undefined;
}

/** What enroll learns from host_details (os_version, osquery_info, system_info). */
export function identityFromEnroll(request: EnrollRequest): HostIdentity {
  const details = request.hostDetails;
  const os = details.os_version ?? {};
  const osquery = details.osquery_info ?? {};
  const system = details.system_info ?? {};
  const osqueryHostId = request.hostIdentifier || system.uuid || osquery.uuid || '';
  return {
    osqueryHostId,
    platform: clipHostField((os.platform ?? '').trim()),
    hostname: clipHostField((system.hostname ?? '').trim()),
    uuid: clipHostField((system.uuid ?? osquery.uuid ?? '').trim()),
    hardwareSerial: clipHostField((system.hardware_serial ?? '').trim()),
    osVersion: clipHostField(osVersionName(os)),
    osqueryVersion: clipHostField((osquery.version ?? '').trim()),
  };
}

export class OsqueryService {
  readonly hosts: HostCache;
  readonly scopes: PolicyScopeCache;
  readonly feed: HostChangeFeed;
  readonly jitter: JitterTables;
  readonly ingest: PolicyIngest;
  readonly lastSeen: LastSeenBatcher;
  readonly schedule: QueryScheduleCache;
  readonly results: ResultLogIngest;
  private readonly logLines: Counter;
  private readonly discardedResults: Counter;
  private readonly writeStoreErrors: Counter;
  private readonly labelQueriesSent: Counter;
  private readonly labelResults: Counter;
  private readonly detailIgnored: Counter;
  private readonly detailQueriesSent: Counter;
  private readonly detailResults: Counter;

  constructor(private readonly context: ServerContext) {
    const { options, store, events, metrics, log } = context;
    // The change feed makes long-lived entries safe across instances (staleness bound: ./host-cache.ts).
    const feedLive = (): boolean => this.feed.live();
    const cacheOptions = { ttlMs: options.hostCacheTtlMs, maxAgeMs: options.hostCacheMaxAgeMs, feedLive };
    this.hosts = new HostCache((nodeKey) => store.getHostByNodeKey(nodeKey), cacheOptions);
    this.scopes = new PolicyScopeCache((teamId, platform) => store.policiesForHost(teamId, platform), cacheOptions);
    this.feed = new HostChangeFeed(store, this.hosts, this.scopes, {
      intervalMs: options.hostFeedIntervalMs,
      liveWindowMs: Math.max(options.hostCacheTtlMs, 3 * options.hostFeedIntervalMs),
      log,
      polls: metrics.counter('osqsim_host_feed_polls_total', 'Host change feed polls by outcome'),
      invalidations: metrics.counter('osqsim_host_cache_invalidations_total', 'Cached hosts the change feed reported (re-read or dropped)'),
    });
    this.jitter = new JitterTables(options.maxJitterPercent);
    this.ingest = new PolicyIngest(context);
    this.lastSeen = new LastSeenBatcher(store, options.seenFlushIntervalMs, () => context.now(), log);
    this.schedule = new QueryScheduleCache(store, () => context.now().getTime());
    this.results = new ResultLogIngest({ store, cache: this.schedule, log, metrics, reportCap: options.queryReportCap, maxDelayMs: options.ingestMaxDelayMs });
    this.logLines = metrics.counter('osqsim_osquery_log_lines_total', 'osquery log lines accepted (and dropped) by log_type');
    this.discardedResults = metrics.counter(
      'osqsim_osquery_discarded_results_total',
      'Policy results discarded because the policy is not in the host\'s scope',
    );
    this.writeStoreErrors = metrics.counter(
      'osqsim_osquery_write_store_errors_total',
      'distributed/write store failures logged and answered 200, as Fleet does (the host stays due), by step',
    );
    this.labelQueriesSent = metrics.counter('osqsim_osquery_label_queries_sent_total', 'fleet_label_query_<id> queries sent in distributed/read');
    this.labelResults = metrics.counter(
      'osqsim_osquery_label_results_total',
      'Label query answers received in distributed/write, by result (member, not_member, error)',
    );
    this.detailIgnored = metrics.counter(
      'osqsim_osquery_detail_results_ignored_total',
      'Detail query results ignored because their rows were not what the query returns (logged, as Fleet does), by query',
    );
    this.detailQueriesSent = metrics.counter('osqsim_osquery_detail_queries_sent_total', 'Host-vitals (detail) queries sent in distributed/read');
    this.detailResults = metrics.counter(
      'osqsim_osquery_detail_results_total',
      'Host-vitals (detail) results received in distributed/write, by outcome (stored, ignored, error, store_failed)',
    );
    events.on('hostChanged', (hostId) => this.hosts.invalidateHost(hostId));
    events.on('policiesChanged', () => this.scopes.clear());
    events.on('queriesChanged', () => this.schedule.invalidate());
  }

  /** Host auth: the cached host for a node key; 401 node_invalid when missing or unknown. */
  async authenticate(nodeKey: string | undefined): Promise<CachedHost> {
    if (nodeKey === undefined) throw osqsimError('OSQ_NODE_INVALID', { reason: 'missing node key' });
    const host = await this.hosts.get(nodeKey);
    if (host === undefined) throw osqsimError('OSQ_NODE_INVALID', { reason: 'invalid node key' });
    this.lastSeen.mark(host.id);
    return host;
  }

  /**
   * The fresh cached host for a node key, marked seen, or undefined when it is not cached (then
   * authenticate() loads it or answers node_invalid). The idle read's synchronous first step.
   */
  cachedHost(nodeKey: string | undefined): CachedHost | undefined {
    if (nodeKey === undefined) return undefined;
    const host = this.hosts.fresh(nodeKey);
    if (host !== undefined) this.lastSeen.mark(host.id);
    return host;
  }

  /**
   * True when read(host) would answer nothing now, decided without awaiting anything: no gate is
   * open, the host is not enrolling and (`--edited-policies immediate` only) its cached scope holds
   * no edit newer than its last run, or read() found it owes none of that very scope's edits. False
   * when unsure (that scope not cached, or loaded since): read() decides.
   */
  idleNow(host: CachedHost): boolean {
    const now = this.context.now();
    const options = this.context.options;
    if (host.platform === '' || host.hostname === '') return false;
    if (dueForDetails(host, now, options, this.jitter) || dueForLabels(host, now, options, this.jitter) || dueForPolicies(host, now, options, this.jitter)) return false;
    if (options.editedPolicies !== 'immediate') return true;
    const scope = this.scopes.fresh(host.teamId, fleetPlatformOf(host.platform));
    return scope !== undefined && (scope.lastQueryChange <= host.policyUpdatedAt.getTime() || scope.serial === host.editsSettledIn);
  }

  async enroll(request: EnrollRequest): Promise<string> {
    const { store, events } = this.context;
    if (request.enrollSecret === '') throw osqsimError('OSQ_ENROLL_FAILED', { reason: 'missing enroll secret' });
    const secret = await store.findEnrollSecret(request.enrollSecret);
    if (secret === undefined) throw osqsimError('OSQ_ENROLL_FAILED', { reason: 'invalid secret' });
    const identity = identityFromEnroll(request);
    if (identity.osqueryHostId === '') throw osqsimError('OSQ_ENROLL_FAILED', { reason: 'missing host_identifier' });
    // The identifier is the host's identity: clipping it could merge two hosts, so it is refused.
    if (identity.osqueryHostId.length > MAX_HOST_FIELD_LENGTH) {
      throw osqsimError('OSQ_BAD_REQUEST', { reason: `host_identifier is longer than ${MAX_HOST_FIELD_LENGTH} characters` });
    }
    const nodeKey = newNodeKey();
    const result = await store.enrollHost(identity, nodeKey, secret.teamId, this.context.now());
    if (result.reenrolled) {
      events.emit('hostChanged', result.host.id);
      if (result.removed.length > 0) events.emit('membershipChanged', result.removed);
    }
    return nodeKey;
  }

  /** Agent options pushed through /config (policies never travel here). */
  async config(host: CachedHost): Promise<Record<string, unknown>> {
    const { options, store } = this.context;
    const distributed = options.distributedIntervalSeconds;
    const logger = options.loggerTlsPeriodSeconds;
    const refresh = options.configRefreshSeconds;
    if (host.distributedInterval !== distributed || host.loggerTlsPeriod !== logger || host.configTlsRefresh !== refresh) {
      await store.updateHostDetails(host.id, { distributedInterval: distributed, loggerTlsPeriod: logger, configTlsRefresh: refresh });
      host.distributedInterval = distributed;
      host.loggerTlsPeriod = logger;
      host.configTlsRefresh = refresh;
    }
    const [global, team] = await Promise.all([
      this.schedule.scheduledQueries(null),
      host.teamId === null ? [] : this.schedule.scheduledQueries(host.teamId),
    ]);
    const packs = packsFor(host.teamId, global, team);
    return {
      options: {
        distributed_interval: distributed,
        distributed_plugin: 'tls',
        distributed_tls_max_attempts: 3,
        disable_distributed: false,
        logger_plugin: 'tls',
        logger_tls_endpoint: '/api/osquery/log',
        logger_tls_period: logger,
        config_refresh: refresh,
        pack_delimiter: '/',
      },
      decorators: {
        load: ['SELECT uuid AS host_uuid FROM system_info;', 'SELECT hostname AS hostname FROM system_info;'],
      },
      // Scheduled queries as current Fleet sends them (getPackConfig): packs "Global" and
      // "team-<id>", left out when empty; the 2023 top-level "schedule" key is gone.
      ...(packs ? { packs } : {}),
    };
  }

  /** The queries due for this host; undefined when nothing is due (the idle answer). */
  async read(host: CachedHost): Promise<DistributedReadResponse | undefined> {
    const now = this.context.now();
    const options = this.context.options;
    const details = dueForDetails(host, now, options, this.jitter);
    const policies = dueForPolicies(host, now, options, this.jitter);
    const labels = dueForLabels(host, now, options, this.jitter);
    const enrolling = host.platform === '' || host.hostname === '';
    // Fleet (server/service/osquery.go, policyQueriesForHost) sends policies only when the host's
    // policy gate is open: after an edit, hosts re-run the policy at their normal interval. The
    // what-if `--edited-policies immediate` also sends a host that is not due the in-scope
    // policies an edit changed after its last policy run, until it answers them.
    const edited = policies || options.editedPolicies !== 'immediate' ? [] : await this.editedSinceLastRun(host);
    if (!details && !policies && !labels && !enrolling && edited.length === 0) return undefined;

    const queries: Record<string, string> = {};
    const discovery: Record<string, string> = {};
    if (details) {
      const detailQueries = detailQueriesFor(host.platform);
      for (const detail of detailQueries) {
        queries[detail.name] = detail.query;
        discovery[detail.name] = detail.discovery ?? ALWAYS_TRUE_QUERY;
      }
      this.detailQueriesSent.inc({}, detailQueries.length);
    }
    if (labels) {
      // Fleet's order: details, labels, (live queries), policies. Every dynamic label of the host's
      // platform is sent, with no membership check (LabelQueriesForHost).
      for (const label of await this.context.store.labelQueriesForHost(host.platform, host.osVersion)) {
        if (label.query.trim() === '') continue;
        const name = `${LABEL_QUERY_PREFIX}${label.id}`;
        queries[name] = label.query;
        discovery[name] = ALWAYS_TRUE_QUERY;
        this.labelQueriesSent.inc();
      }
    }
    if (policies || edited.length > 0) {
      // edited is already in the host's label scope.
      const inScope = policies ? await this.inLabelScope(host, (await this.scopes.get(host.teamId, fleetPlatformOf(host.platform))).policies) : edited;
      if (options.editedPolicies === 'immediate') host.editsSent = policies ? undefined : edited;
      if (inScope.length === 0) {
        queries[NO_POLICIES_WILDCARD] = ALWAYS_TRUE_QUERY;
        discovery[NO_POLICIES_WILDCARD] = ALWAYS_TRUE_QUERY;
      }
      for (const policy of inScope) {
        if (policy.query.trim() === '') continue; // an empty query makes osquery check in in a loop (§2.2 step 6)
        const name = `${POLICY_QUERY_PREFIX}${policy.id}`;
        queries[name] = policy.query;
        discovery[name] = ALWAYS_TRUE_QUERY;
      }
    }
    const response: DistributedReadResponse = { queries, discovery };
    if (enrolling) response.accelerate = ENROLLING_ACCELERATE_SECONDS;
    return response;
  }

  /**
   * The policies whose label scope admits the host, by its stored label membership (not re-run:
   * Fleet's PolicyQueriesForHost joins label_membership as stored). One store read, only when a
   * policy has a label scope.
   */
  private async inLabelScope(host: CachedHost, policies: readonly ScopedPolicy[]): Promise<readonly ScopedPolicy[]> {
    if (!policies.some((policy) => policy.includeLabelIds.length > 0 || policy.excludeLabelIds.length > 0)) return policies;
    const memberOf = new Set(await this.context.store.hostLabelIds(host.id));
    return policiesInLabelScope(policies, memberOf);
  }

  /**
   * The policies in the host's scope (labels included) whose query or platforms an edit changed
   * after the host's last policy run, with a query to send, and whose current version the host has
   * not answered. Answers are matched per (policy, queryChangedAt), never by a time watermark:
   * queryChangedAt is stamped before the edit commits, so an edit stamped earlier can become
   * visible after a later-stamped one was answered (issue 16 item 7, race 2). What the host
   * answered is known in memory once it wrote; for an entry just loaded, its stored rows say it
   * (one store read per load while edits are open). When nothing is owed, the host is settled for
   * this loaded scope and idleNow() answers it synchronously until the scope is reloaded.
   */
  private async editedSinceLastRun(host: CachedHost): Promise<readonly ScopedPolicy[]> {
    const scope = await this.scopes.get(host.teamId, fleetPlatformOf(host.platform));
    const ranAt = host.policyUpdatedAt.getTime();
    if (scope.lastQueryChange <= ranAt || scope.serial === host.editsSettledIn) return [];
    const edited = scope.edited.filter((policy) => policy.queryChangedAt > ranAt);
    let answered = host.editsAnswered;
    if (answered === undefined) {
      // A row written at or after the stamp answered this version (or, if the host read the old
      // query just before the edit committed, the old one: that row outlives the edit's clean-up,
      // so no count is lost; the host is then asked at its next policy run, as in Fleet).
      const answeredAt = new Map((await this.context.store.hostMembership(host.id)).map((row) => [row.policyId, row.updatedAt.getTime()]));
      answered = edited.filter((policy) => (answeredAt.get(policy.id) ?? 0) >= policy.queryChangedAt);
    } else if (answered !== scope.edited) {
      answered = answered.filter((done) => edited.some((policy) => sameVersion(policy, done)));
    }
    const open = edited.filter((policy) => !answered.some((done) => sameVersion(policy, done)));
    // All answered: the scope's shared list says the same (what it adds is older than the run).
    host.editsAnswered = open.length === 0 ? scope.edited : answered;
    const owed = await this.inLabelScope(host, open);
    if (owed.length === 0) host.editsSettledIn = scope.serial;
    return owed;
  }

  /**
   * Records a distributed/write; resolves once everything it carried is stored or has failed. As
   * Fleet's SubmitDistributedQueryResults (server/service/osquery.go), a store failure is logged
   * and not answered (logging.WithErr): the agent gets 200 and, since the host's timers did not
   * move, the same queries at its next read.
   */
  async write(host: CachedHost, request: WriteRequest, clientIp = ''): Promise<void> {
    const now = this.context.now();
    const options = this.context.options;
    const results: Array<{ policyId: number; passes: PolicyPasses }> = [];
    let wildcard = false;
    let detailsUpdated = false;
    const vitals: VitalsPiece = {};
    const ingestContext = { platform: host.platform, publicIp: clientIp.replace(/^::ffff:/, ''), now };
    const reportedPolicyIds: number[] = [];
    const policyRows = new Map<number, PolicyPasses>();
    const labelResults: Array<{ labelId: number; member: boolean | null }> = [];
    // Detail results that made it into this write's vitals (counted stored once the write commits).
    let detailsAccepted = 0;

    for (const [name, rows] of request.queries) {
      if (name === NO_POLICIES_WILDCARD) {
        wildcard = true;
        continue;
      }
      const status = request.statuses.get(name);
      const policyId = policyIdOf(name);
      if (policyId !== undefined) {
        reportedPolicyIds.push(policyId);
        policyRows.set(policyId, policyResultOf(rows, status));
        continue;
      }
      const labelId = labelIdOf(name);
      if (labelId !== undefined) {
        const member = labelResultOf(rows, status);
        labelResults.push({ labelId, member });
        this.labelResults.inc({ result: member === null ? 'error' : member ? 'member' : 'not_member' });
        continue;
      }
      const detail = DETAIL_QUERIES_BY_NAME.get(name);
      if (status !== undefined && status !== 0) {
        if (detail) this.detailResults.inc({ outcome: 'error' });
        continue;
      }
      if (detail) {
        // A result that is not what the query returns is logged and ignored, the rest of the write
        // is stored (Fleet: ingestDetailQuery logs the IngestFunc's error and carries on).
        let piece: VitalsPiece;
        try {
          piece = detail.ingest(rows, ingestContext);
        } catch (error) {
          this.detailIgnored.inc({ query: detail.name });
          this.detailResults.inc({ outcome: 'ignored' });
          this.context.log.warn({ hostId: host.id, query: name, reason: error instanceof Error ? error.message : String(error) }, 'detail query result ignored');
          continue;
        }
        mergePiece(vitals, piece);
        detailsAccepted++;
        // Only host-column results move detail_updated_at (Fleet: IngestFunc results, not direct ingests).
        if (piece.host !== undefined) detailsUpdated = true;
      }
    }
    if (detailsUpdated) vitals.host = { ...vitals.host, detailUpdatedAt: now, refetchRequested: false };
    // Any stored write clears a requested refetch (Fleet: SubmitDistributedQueryResults saves the host with it off).
    else if (host.refetchRequested && !isEmptyPiece(vitals)) vitals.host = { ...vitals.host, refetchRequested: false };
    const report: HostVitalsReport | undefined = isEmptyPiece(vitals) ? undefined : vitals;

    // Labels are stored before policies (Fleet's SubmitDistributedQueryResults), so the policy
    // scope check below sees this write's label membership.
    if (labelResults.length > 0) {
      try {
        await this.context.store.recordLabelResults({ hostId: host.id, results: labelResults, reportedAt: now });
        host.labelUpdatedAt = now;
      } catch (error) {
        this.storeFailed(error, host, 'labels');
      }
    }

    // Answers to policies outside the host's scope are dropped (Fleet: discardOutOfScopePolicyResults);
    // if the scope cannot be read, this write's policy results are dropped and logged, as Fleet does.
    let allEdited = false;
    let scopePolicies: ReadonlyMap<number, ScopedPolicy> = new Map();
    const queryChangedAt = (policyId: number): number => scopePolicies.get(policyId)?.queryChangedAt ?? 0;
    if (reportedPolicyIds.length > 0) {
      try {
        const scope = await this.scopes.get(host.teamId, fleetPlatformOf(host.platform));
        const reported = scope.policies.filter((policy) => policyRows.has(policy.id));
        const admitted = new Set((await this.inLabelScope(host, reported)).map((policy) => policy.id));
        for (const [policyId, passes] of policyRows) {
          if (admitted.has(policyId)) results.push({ policyId, passes });
          else this.discardedResults.inc();
        }
        const ranAt = host.policyUpdatedAt.getTime();
        scopePolicies = new Map(scope.policies.map((policy) => [policy.id, policy]));
        allEdited = results.every((result) => queryChangedAt(result.policyId) > ranAt);
      } catch (error) {
        this.storeFailed(error, host, 'scope');
        results.length = 0;
      }
    }

    if (results.length > 0 || wildcard) {
      // A write while the host's policy gate is closed answers a read that carried only edited
      // policies (--edited-policies immediate): it is stored but never moves the policy timer (and
      // is no policy run, so it deletes nothing). Fleet looks at no such thing: every write with
      // policy results is a run (RecordPolicyQueryExecutions stamps policy_updated_at).
      const editedOnly =
        options.editedPolicies === 'immediate' && !wildcard && !dueForPolicies(host, now, options, this.jitter);
      // A policy run deletes the host's rows for policies it did not answer (Fleet:
      // cleanupOutOfScopePolicyMembership, also after the wildcard). In immediate mode a
      // write that answers only edited policies may answer an edited-only read whose host became due
      // before the write: it then stamps the timer, but deletes nothing.
      const deleteUnanswered = !editedOnly && (wildcard || options.editedPolicies !== 'immediate' || !allEdited);
      try {
        await this.ingest.record({
          hostId: host.id,
          results,
          reportedAt: now,
          ...(deleteUnanswered ? { deleteUnanswered: true } : {}),
          ...(editedOnly ? { keepPolicyTimer: true } : {}),
          ...(report ? { vitals: report } : {}),
        });
        if (report) this.vitalsStored(host, report, detailsAccepted);
        if (!editedOnly) {
          host.policyUpdatedAt = now;
          host.refetchRequested = false;
          if (options.editedPolicies === 'immediate') {
            host.editsAnswered = NO_EDITS_ANSWERED;
            host.editsSent = undefined;
          }
        } else {
          // (Undefined: the next read reads the stored rows, this write's included.)
          if (host.editsAnswered !== undefined) host.editsAnswered = withAnswered(host.editsAnswered, results, host.editsSent, scopePolicies);
          host.editsSent = undefined; // answered: not kept while the host idles
        }
      } catch (error) {
        this.detailResults.inc({ outcome: 'store_failed' }, report ? detailsAccepted : 0);
        this.storeFailed(error, host, 'policies');
      }
      return;
    }
    await this.storeDetails(host, report, now, detailsAccepted);
  }

  /**
   * A write without policy results: its vitals go through the same group commit (a batch item that
   * leaves the policy timer alone), or only the refetch flag is cleared. A store failure is logged,
   * the host stays due.
   */
  private async storeDetails(host: CachedHost, report: HostVitalsReport | undefined, now: Date, detailsAccepted: number): Promise<void> {
    try {
      if (report !== undefined) {
        await this.ingest.record({ hostId: host.id, results: [], reportedAt: now, keepPolicyTimer: true, vitals: report });
        this.vitalsStored(host, report, detailsAccepted);
      } else if (host.refetchRequested) {
        await this.context.store.setRefetchRequested(host.id, false);
        host.refetchRequested = false;
      }
    } catch (error) {
      if (report !== undefined) this.detailResults.inc({ outcome: 'store_failed' }, detailsAccepted);
      this.storeFailed(error, host, 'details');
    }
  }

  /** The cached host follows what the store now holds; `results` detail results were stored. */
  private vitalsStored(host: CachedHost, report: HostVitalsReport, results: number): void {
    this.detailResults.inc({ outcome: 'stored' }, results);
    const patch = report.host;
    if (patch === undefined) return;
    if (patch.detailUpdatedAt !== undefined) host.detailUpdatedAt = patch.detailUpdatedAt;
    if (patch.refetchRequested === false) host.refetchRequested = false;
    if (patch.platform !== undefined) host.platform = patch.platform;
    if (patch.hostname !== undefined) host.hostname = patch.hostname;
    if (patch.osVersion !== undefined) host.osVersion = patch.osVersion;
    if (patch.distributedInterval !== undefined) host.distributedInterval = patch.distributedInterval;
    if (patch.loggerTlsPeriod !== undefined) host.loggerTlsPeriod = patch.loggerTlsPeriod;
    if (patch.configTlsRefresh !== undefined) host.configTlsRefresh = patch.configTlsRefresh;
  }

  private storeFailed(error: unknown, host: CachedHost, step: 'scope' | 'policies' | 'details' | 'labels'): void {
    this.writeStoreErrors.inc({ step });
    this.context.log.error({ err: error, hostId: host.id, step }, 'distributed/write: store failed; answered 200, the host stays due');
  }

  /**
   * status and result logs are accepted, counted and dropped; any other type (an absent one is '')
   * is Fleet's 500 `{"error": "unknown log type: …"}` (submitLogsEndpoint). Called
   * after authentication: Fleet checks the node key (authenticatedHost) before submitLogsEndpoint
   * looks at log_type (server/service/osquery.go), so a bad key wins over a bad log type.
   */
  /**
   * Status lines are counted; result lines go to the query reports (./schedule.ts). Bad result
   * entries never fail the request (osquery would re-send them forever), as in Fleet.
   */
  async log(host: CachedHost, request: LogRequest): Promise<ResultLogSummary | undefined> {
    const { logType, data } = request;
    if (logType !== 'status' && logType !== 'result') throw osqsimError('OSQ_LOG_TYPE', { logType: String(logType) });
    this.logLines.inc({ log_type: logType }, data.length);
    if (logType !== 'result' || data.length === 0) return undefined;
    return this.results.ingest(host, data, this.context.now());
  }
}
