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
import type { HostDetailsPatch, HostIdentity, PolicyPasses } from '../store/store.js';
import {
  DETAIL_QUERIES,
  DETAIL_QUERIES_BY_NAME,
  DETAIL_QUERY_PREFIX,
  MAX_HOST_FIELD_LENGTH,
  clipHostField,
  osVersionName,
  type ResultRow,
} from './detail-queries.js';
import { dueForDetails, dueForPolicies } from './due.js';
import { HostCache, PolicyScopeCache, type CachedHost, type ScopedPolicy } from './host-cache.js';
import { HostChangeFeed } from './host-feed.js';
import { JitterTables } from './jitter.js';
import type { EnrollRequest, WriteRequest } from './requests.js';

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
  private readonly logLines: Counter;
  private readonly discardedResults: Counter;

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
    this.logLines = metrics.counter('osqsim_osquery_log_lines_total', 'osquery log lines accepted (and dropped) by log_type');
    this.discardedResults = metrics.counter(
      'osqsim_osquery_discarded_results_total',
      'Policy results discarded because the policy is not in the host\'s scope',
    );
    events.on('hostChanged', (hostId) => this.hosts.invalidateHost(hostId));
    events.on('policiesChanged', () => this.scopes.clear());
  }

  /** Host auth: the cached host for a node key; 401 node_invalid when missing or unknown. */
  async authenticate(nodeKey: string | undefined): Promise<CachedHost> {
    if (nodeKey === undefined) throw osqsimError('OSQ_NODE_INVALID', { reason: 'missing node key' });
    const host = await this.hosts.get(nodeKey);
    if (host === undefined) throw osqsimError('OSQ_NODE_INVALID', { reason: 'invalid node key' });
    this.lastSeen.mark(host.id);
    return host;
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
      schedule: {},
    };
  }

  /** The queries due for this host; undefined when nothing is due (the idle answer). */
  async read(host: CachedHost): Promise<DistributedReadResponse | undefined> {
    const now = this.context.now();
    const options = this.context.options;
    const details = dueForDetails(host, now, options, this.jitter);
    const policies = dueForPolicies(host, now, options, this.jitter);
    const enrolling = host.platform === '' || host.hostname === '';
    // Not due: still send the in-scope policies whose query or platforms an edit changed after the
    // host last ran its policies (issue 3 §4); its write bumps policyUpdatedAt, so once only.
    let edited: readonly ScopedPolicy[] = [];
    if (!policies) {
      const scope = await this.scopes.get(host.teamId, fleetPlatformOf(host.platform));
      const ranAt = host.policyUpdatedAt.getTime();
      if (scope.lastQueryChange > ranAt) edited = scope.policies.filter((policy) => policy.queryChangedAt > ranAt);
    }
    if (!details && !policies && !enrolling && edited.length === 0) return undefined;

    const queries: Record<string, string> = {};
    const discovery: Record<string, string> = {};
    if (details) {
      for (const detail of DETAIL_QUERIES) {
        const name = `${DETAIL_QUERY_PREFIX}${detail.name}`;
        queries[name] = detail.query;
        discovery[name] = detail.discovery ?? ALWAYS_TRUE_QUERY;
      }
    }
    if (policies || edited.length > 0) {
      const scope = policies ? await this.scopes.get(host.teamId, fleetPlatformOf(host.platform)) : { policies: edited };
      if (scope.policies.length === 0) {
        queries[NO_POLICIES_WILDCARD] = ALWAYS_TRUE_QUERY;
        discovery[NO_POLICIES_WILDCARD] = ALWAYS_TRUE_QUERY;
      }
      for (const policy of scope.policies) {
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

  /** Records a distributed/write; resolves once everything it carried is stored. */
  async write(host: CachedHost, request: WriteRequest): Promise<void> {
    const now = this.context.now();
    const results: Array<{ policyId: number; passes: PolicyPasses }> = [];
    let wildcard = false;
    let detailsUpdated = false;
    const patch: HostDetailsPatch = {};
    const reportedPolicyIds: number[] = [];
    const policyRows = new Map<number, PolicyPasses>();

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
      if (status !== undefined && status !== 0) continue;
      const detail = DETAIL_QUERIES_BY_NAME.get(name);
      if (detail) {
        Object.assign(patch, detail.ingest(rows));
        detailsUpdated = true;
      }
    }

    if (reportedPolicyIds.length > 0) {
      const scope = await this.scopes.get(host.teamId, fleetPlatformOf(host.platform));
      for (const [policyId, passes] of policyRows) {
        if (scope.ids.has(policyId)) results.push({ policyId, passes });
        else this.discardedResults.inc();
      }
    }

    const store = this.context.store;
    if (results.length > 0 || wildcard) {
      await this.ingest.record({ hostId: host.id, results, reportedAt: now });
      host.policyUpdatedAt = now;
      host.refetchRequested = false;
    }
    if (detailsUpdated) {
      patch.detailUpdatedAt = now;
      patch.refetchRequested = false;
      await store.updateHostDetails(host.id, patch);
      host.detailUpdatedAt = now;
      host.refetchRequested = false;
      if (patch.platform !== undefined) host.platform = patch.platform;
      if (patch.hostname !== undefined) host.hostname = patch.hostname;
    } else if (host.refetchRequested) {
      await store.setRefetchRequested(host.id, false);
      host.refetchRequested = false;
    }
  }

  /** status and result logs are accepted, counted and dropped; any other type is a 400. */
  log(logType: string, lines: number): void {
    this.checkLogType(logType);
    this.logLines.inc({ log_type: logType }, lines);
  }

  checkLogType(logType: string): void {
    if (logType !== 'status' && logType !== 'result') throw osqsimError('OSQ_LOG_TYPE', { logType: JSON.stringify(logType) });
  }
}
