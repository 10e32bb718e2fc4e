/**
 * osquery agents, many per worker, as one state machine over compact per-host arrays (no object and
 * no timer per host: events go through a timing wheel).
 *
 * Each host behaves as osquery does (DESIGN §4; peers.md A2.4; fleet-loadtest.md §1):
 * - start at runStart + (g / hosts) · start_period (+ optional jitter): linear spread;
 * - enroll with host_details from its group (hostname, uuid, serial unique per host); a failure is
 *   retried with exponential backoff and jitter;
 * - config at start and every `config_refresh`; intervals pushed in `options` are adopted
 *   (`distributed_interval`, `logger_tls_period`, `config_refresh` / `config_tls_refresh`);
 * - distributed loop: read → run the queries (discovery first) → write, only when there were
 *   queries → sleep `distributed_interval` AFTER completion (osquery's fixed delay; 5 s while an
 *   `accelerate` window is open). `pacing: fixed-rate` instead ticks like osquery-perf's tickers
 *   (missed ticks are dropped);
 * - logger: every `logger_tls_period`, one request per log type that has buffered lines (status
 *   lines at start-up and at `status_lines_per_hour`; result lines from the config's packs, one
 *   per scheduled query run);
 * - `node_invalid` from any endpoint → re-enroll; the server then forgets the host's answers.
 *
 * Times are epoch milliseconds (performance.timeOrigin + now). Each request is measured from its
 * INTENDED start (when osquery would have sent it) as well as from the actual send.
 */
import { configIntervals, isNodeInvalid, parseNodeKey } from './server-answers.js';
import { unitFloat } from '../lib/rng.js';
import type { AgentSpec, FleetGroupSpec } from '../contract/fleet-spec.js';
import type { AnswerModel } from './fleet/answers.js';
import { policyIdOf } from './fleet/answers.js';
import { ANSWER_UNKNOWN, type GroundTruth } from './fleet/truth.js';
import { globalIndex, hostIdentity, type HostIdentity, type HostSlice } from './identity.js';
import { enrollBody, enrollBodyParts, type EnrollBodyParts } from './enroll-body.js';
import { withHostIdentity } from './fleet/evaluator.js';
import { ENDPOINT_INDEX, OUTCOME_INDEX, type Recorder } from './recorder.js';
import type { TimingWheel } from './timing-wheel.js';
import { nowMs } from './clock.js';
import { CallbackExchange, Exchange } from './transport/exchange.js';
import type { Transport } from './transport/transport.js';

export const KIND_ENROLL = 0;
export const KIND_CONFIG = 1;
export const KIND_READ = 2;
export const KIND_WRITE = 3;
export const KIND_LOG = 4;
const KINDS = 5;

const STATE_IDLE = 0;
const STATE_ENROLLING = 1;
const STATE_STARTING = 2;
const STATE_RUNNING = 3;
const STATE_STOPPED = 4;

/** osquery's kDistributedAccelerationInterval. */
export const ACCELERATED_INTERVAL_MS = 5000;
const MAX_LOG_LINES = 1024;
/** Events pack (generation:8 | host:20 | kind:3) into one small integer. */
export const MAX_HOSTS_PER_WORKER = 1 << 20;
const MAX_HOSTS_PER_WORKER_MASK = MAX_HOSTS_PER_WORKER - 1;

export const PATHS = {
  enroll: '/api/osquery/enroll',
  config: '/api/osquery/config',
  read: '/api/osquery/distributed/read',
  write: '/api/osquery/distributed/write',
  log: '/api/osquery/log',
} as const;

export interface AgentPopulationOptions {
  seed: number;
  slice: HostSlice;
  /** Group index per GLOBAL host index. */
  groupOf: Uint16Array;
  groups: readonly FleetGroupSpec[];
  agent: AgentSpec;
  enrollSecret: string;
  /** Epoch ms of the run's start (shared by all shards). */
  runStartMs: number;
  /** Hosts of the whole run at start (for the start spread). */
  totalActiveHosts: number;
  wheel: TimingWheel;
  transport: Transport;
  recorder: Recorder;
  answers: AnswerModel;
  truth: GroundTruth;
  queryTimeMs: { min: number; max: number };
}

interface PendingWrite {
  body: string;
  answers: Array<{ id: number; query: string; code: number }>;
}

/** All the agents one worker runs: per-host state in typed arrays, events on the timing wheel. */
export class AgentPopulation {
  private readonly size: number;
  private readonly state: Uint8Array;
  private readonly scheduled: Uint8Array;
  private readonly generations: Uint8Array;
  private readonly attempts: Uint8Array;
  /** `{"node_key":"…"}` per enrolled host: the whole body of config and read requests. */
  private readonly keyBodies: Array<string | undefined>;
  private readonly intended: Float64Array;
  private readonly distributedMs: Uint32Array;
  private readonly loggerMs: Uint32Array;
  private readonly configMs: Uint32Array;
  private readonly accelerateUntil: Float64Array;
  private readonly runs: Uint32Array;
  private readonly lastPolicyRun: Float64Array;
  private readonly statusLines: Float32Array;
  private readonly resultLines: Float32Array;
  private readonly resultLinesPerMs: Float32Array;
  private readonly lastLogTick: Float64Array;
  private readonly pendingWrites = new Map<number, PendingWrite>();
  /** Per group: the JSON fragments of its enroll request (enroll-body.ts), built on first use. */
  private readonly enrollParts: Array<EnrollBodyParts | undefined> = [];
  private activeLocal = 0;
  private started = false;
  private lastTotal = 0;
  private stopping = false;
  enrolled = 0;

  constructor(private readonly options: AgentPopulationOptions) {
    const n = options.slice.size;
    this.size = n;
    this.state = new Uint8Array(n);
    if (n > MAX_HOSTS_PER_WORKER) throw new RangeError(`a worker runs at most ${MAX_HOSTS_PER_WORKER} hosts; use more workers`);
    this.scheduled = new Uint8Array(n);
    this.generations = new Uint8Array(n * KINDS);
    this.attempts = new Uint8Array(n);
    this.keyBodies = new Array<string | undefined>(n);
    this.intended = new Float64Array(n * KINDS);
    this.distributedMs = new Uint32Array(n).fill(options.agent.distributed_interval);
    this.loggerMs = new Uint32Array(n).fill(options.agent.logger_tls_period);
    this.configMs = new Uint32Array(n).fill(options.agent.config_refresh);
    this.accelerateUntil = new Float64Array(n);
    this.runs = new Uint32Array(n);
    this.lastPolicyRun = new Float64Array(n);
    this.statusLines = new Float32Array(n);
    this.resultLines = new Float32Array(n);
    this.resultLinesPerMs = new Float32Array(n);
    this.lastLogTick = new Float64Array(n);
  }

  private global(h: number): number {
    return globalIndex(this.options.slice, h);
  }

  private group(h: number): number {
    return this.options.groupOf[this.global(h)]!;
  }

  /**
   * At most one pending event per (host, kind). `replace` supersedes a pending one (its generation
   * no longer matches, so it is ignored when it fires): a loop restarts after a re-enroll.
   */
  private schedule(h: number, kind: number, atMs: number, replace = false): void {
    const bit = 1 << kind;
    if (this.scheduled[h]! & bit && !replace) return;
    this.scheduled[h]! |= bit;
    const slot = h * KINDS + kind;
    const generation = (this.generations[slot]! + 1) & 0xff;
    this.generations[slot] = generation;
    this.intended[slot] = atMs;
    this.options.wheel.schedule(atMs, (generation << 23) | (h << 3) | kind);
  }

  /**
   * Activates local hosts [0, count) and stops the rest (a ramp changes `count` while running).
   * The first call starts hosts spread linearly from the run start over `start_period`; a later
   * call (a ramp) spreads the newly added hosts over `start_period` from now.
   */
  setActive(count: number, totalActiveHosts: number, now: number): void {
    const target = Math.min(count, this.size);
    const { agent } = this.options;
    const first = !this.started;
    const previousTotal = this.lastTotal;
    for (let h = 0; h < target; h++) {
      const s = this.state[h]!;
      if (s !== STATE_IDLE && s !== STATE_STOPPED) continue;
      const g = this.global(h);
      const fraction = first
        ? g / Math.max(totalActiveHosts, 1)
        : Math.max(0, g - previousTotal) / Math.max(totalActiveHosts - previousTotal, 1);
      const jitter = agent.start_jitter > 0 ? unitFloat(this.options.seed, g, 0x51a7) * agent.start_jitter : 0;
      const at = (first ? this.options.runStartMs : now) + Math.min(fraction, 1) * agent.start_period + jitter;
      if (this.keyBodies[h] !== undefined) {
        this.state[h] = STATE_STARTING;
        this.schedule(h, KIND_CONFIG, at, true);
      } else {
        this.state[h] = STATE_ENROLLING;
        // A seeded phase in [0, 1): the periodic status lines of different hosts fall at uniformly spread
        // times (6/h per host is 6/h × hosts from the start), not all on the same multiple of the period.
        this.statusLines[h] = agent.startup_status_lines + unitFloat(this.options.seed, g, 0x57a7);
        this.schedule(h, KIND_ENROLL, at, true);
      }
    }
    for (let h = target; h < this.activeLocal; h++) this.state[h] = STATE_STOPPED;
    this.activeLocal = target;
    this.started = true;
    this.lastTotal = totalActiveHosts;
  }

  get active(): number {
    return this.activeLocal;
  }

  stop(): void {
    this.stopping = true;
  }

  /** Handles one due event from the wheel. */
  fire(event: number): void {
    const h = (event >>> 3) & MAX_HOSTS_PER_WORKER_MASK;
    const kind = event & 7;
    if (event >>> 23 !== this.generations[h * KINDS + kind]) return; // superseded
    this.scheduled[h]! &= ~(1 << kind);
    if (this.stopping) return;
    const state = this.state[h]!;
    if (state === STATE_STOPPED || state === STATE_IDLE) return;
    const intended = this.intended[h * KINDS + kind]!;
    switch (kind) {
      case KIND_ENROLL:
        if (state === STATE_ENROLLING) this.enroll(h, intended);
        return;
      case KIND_CONFIG:
        if (state === STATE_RUNNING || state === STATE_STARTING) this.config(h, intended);
        return;
      case KIND_READ:
        if (state === STATE_RUNNING) this.read(h, intended);
        return;
      case KIND_WRITE:
        if (state === STATE_RUNNING) this.write(h, intended);
        else this.pendingWrites.delete(h);
        return;
      case KIND_LOG:
        if (state === STATE_RUNNING) this.log(h, intended);
        return;
    }
  }

  // --- enroll ------------------------------------------------------------------------------------

  /** The enroll request: the group's part is built once per group, the host's identity spliced in. */
  private enrollBody(h: number): string {
    const groupIndex = this.group(h);
    const group = this.options.groups[groupIndex]!;
    const parts = (this.enrollParts[groupIndex] ??= enrollBodyParts(group, this.options.enrollSecret));
    return enrollBody(parts, hostIdentity(this.options.seed, this.global(h), group.hostname_prefix ?? group.name));
  }

  private enroll(h: number, intended: number): void {
    const sent = nowMs();
    // Built when a connection takes it: a queued enrolment wave holds no bodies.
    this.options.transport.post(this.global(h) % this.options.transport.targetCount, PATHS.enroll, () => this.enrollBody(h), new CallbackExchange((outcome, _status, text, done) => {
      this.options.recorder.record(ENDPOINT_INDEX.enroll, outcome, intended, sent, done);
      if (this.state[h] !== STATE_ENROLLING) return;
      const key = outcome === OUTCOME_INDEX['2xx'] ? parseNodeKey(text) : undefined;
      if (key !== undefined) {
        if (this.keyBodies[h] === undefined) this.enrolled++;
        this.keyBodies[h] = `{"node_key":${JSON.stringify(key)}}`;
        this.attempts[h] = 0;
        this.state[h] = STATE_STARTING;
        this.schedule(h, KIND_CONFIG, done, true);
        return;
      }
      const attempt = Math.min(this.attempts[h]! + 1, 30);
      this.attempts[h] = attempt;
      this.schedule(h, KIND_ENROLL, done + this.backoffMs(h, attempt));
    }));
  }

  /** Exponential backoff with "equal jitter": half fixed, half random, capped. */
  backoffMs(h: number, attempt: number): number {
    const { initial, max } = this.options.agent.enroll_backoff;
    const cap = Math.min(max, initial * 2 ** (attempt - 1));
    return cap / 2 + unitFloat(this.options.seed, this.global(h), attempt, 0xbac0) * (cap / 2);
  }

  private reenroll(h: number, now: number): void {
    if (this.state[h] === STATE_ENROLLING || this.state[h] === STATE_STOPPED) return;
    if (this.keyBodies[h] !== undefined) {
      this.keyBodies[h] = undefined;
      this.enrolled--;
    }
    this.options.truth.forgetHost(h);
    this.pendingWrites.delete(h);
    this.state[h] = STATE_ENROLLING;
    this.attempts[h] = 0;
    this.schedule(h, KIND_ENROLL, now, true);
  }

  // --- config ------------------------------------------------------------------------------------

  private config(h: number, intended: number): void {
    const body = this.keyBodies[h];
    if (body === undefined) return;
    const sent = nowMs();
    this.options.transport.post(this.global(h) % this.options.transport.targetCount, PATHS.config, body, new CallbackExchange((outcome, status, text, done) => {
      this.options.recorder.record(ENDPOINT_INDEX.config, outcome, intended, sent, done);
      const state = this.state[h]!;
      if (state !== STATE_RUNNING && state !== STATE_STARTING) return;
      if (status === 401 && isNodeInvalid(text)) return this.reenroll(h, done);
      if (outcome === OUTCOME_INDEX['2xx']) this.adoptConfig(h, text);
      if (state === STATE_STARTING) {
        // osquery starts its distributed and logger threads once the first config load is done.
        this.state[h] = STATE_RUNNING;
        this.schedule(h, KIND_READ, done, true);
        this.lastLogTick[h] = done;
        this.schedule(h, KIND_LOG, done + this.loggerMs[h]!, true);
      }
      this.schedule(h, KIND_CONFIG, this.nextTick(intended, done, this.configMs[h]!), true);
    }));
  }

  private adoptConfig(h: number, text: string): void {
    const adopted = configIntervals(text);
    if (adopted === undefined) return;
    if (adopted.distributedMs !== undefined) this.distributedMs[h] = adopted.distributedMs;
    if (adopted.loggerMs !== undefined) this.loggerMs[h] = adopted.loggerMs;
    if (adopted.configRefreshMs !== undefined) this.configMs[h] = adopted.configRefreshMs;
    this.resultLinesPerMs[h] = adopted.resultLinesPerMs;
  }

  // --- distributed -------------------------------------------------------------------------------

  /** Next start of a loop: after completion (fixed delay) or on the ticker (fixed rate). */
  private nextTick(intended: number, done: number, interval: number): number {
    if (this.options.agent.pacing === 'fixed-delay') return done + interval;
    let next = intended + interval;
    if (next <= done) next += Math.ceil((done - next) / interval) * interval; // dropped ticks
    return next;
  }

  private distributedInterval(h: number, now: number): number {
    return this.options.agent.accelerate && this.accelerateUntil[h]! > now ? ACCELERATED_INTERVAL_MS : this.distributedMs[h]!;
  }

  private read(h: number, intended: number): void {
    const body = this.keyBodies[h];
    if (body === undefined) return;
    const sent = nowMs();
    this.options.recorder.checkin(sent - intended);
    this.options.transport.post(this.global(h) % this.options.transport.targetCount, PATHS.read, body, new ReadExchange(this, h, intended, sent));
  }

  /** The hot path: every check-in ends here. */
  readDone(h: number, intended: number, sent: number, outcome: number, status: number, text: string, done: number): void {
    this.options.recorder.record(ENDPOINT_INDEX.read, outcome, intended, sent, done);
    if (this.state[h] !== STATE_RUNNING) return;
    if (status === 401 && isNodeInvalid(text)) return this.reenroll(h, done);
    if (outcome === OUTCOME_INDEX['2xx'] && text.length > 0) {
      const work = this.runQueries(h, text, done);
      if (work !== undefined) {
        this.pendingWrites.set(h, work.write);
        this.schedule(h, KIND_WRITE, done + work.execMs);
        return;
      }
    }
    this.schedule(h, KIND_READ, this.nextReadAt(h, intended, done));
  }

  private nextReadAt(h: number, intended: number, done: number): number {
    return this.nextTick(intended, done, this.distributedInterval(h, done));
  }

  /** Runs the read's queries; undefined when there is nothing to write. */
  private runQueries(h: number, text: string, now: number): { write: PendingWrite; execMs: number } | undefined {
    if (text.indexOf('"queries":{}') !== -1 && text.indexOf('"accelerate"') === -1) return undefined;
    let response: { queries?: Record<string, unknown>; discovery?: Record<string, unknown>; accelerate?: unknown };
    try {
      response = JSON.parse(text) as typeof response;
    } catch {
      return undefined;
    }
    const accelerate = Number(response.accelerate ?? 0);
    if (accelerate > 0) this.accelerateUntil[h] = now + accelerate * 1000;
    const queries = response.queries ?? {};
    const names = Object.keys(queries).sort(); // osquery runs them in name order
    if (names.length === 0) return undefined;
    const group = this.group(h);
    const g = this.global(h);
    const run = ++this.runs[h]!;
    const since = this.lastPolicyRun[h]! > 0 ? now - this.lastPolicyRun[h]! : 0;
    const discovery = response.discovery ?? {};
    const queryParts: string[] = [];
    const statusParts: string[] = [];
    const messageParts: string[] = [];
    const answers: PendingWrite['answers'] = [];
    let ran = 0;
    let execMs = 0;
    let identity: HostIdentity | undefined;
    const { min, max } = this.options.queryTimeMs;
    for (const name of names) {
      const sql = queries[name];
      if (typeof sql !== 'string') continue;
      const discoverySql = discovery[name];
      if (typeof discoverySql === 'string' && discoverySql !== '') {
        const d = this.options.answers.sqlAnswer(group, discoverySql);
        if (d.status !== 0 || d.rowCount === 0) continue; // discovery says: not for this host
      }
      const answer = this.options.answers.answer(group, g, h, name, sql, run, since, this.options.truth);
      ran++;
      if (max > 0) execMs += min + unitFloat(this.options.seed, g, run, ran, 0x7e) * (max - min);
      const quoted = JSON.stringify(name);
      let rowsJson = answer.rowsJson;
      if (rowsJson.length > 2) {
        identity ??= hostIdentity(this.options.seed, g, this.options.groups[group]!.hostname_prefix ?? this.options.groups[group]!.name);
        rowsJson = withHostIdentity(rowsJson, identity);
      }
      queryParts.push(`${quoted}:${rowsJson}`);
      statusParts.push(this.options.agent.string_statuses ? `${quoted}:"${answer.status}"` : `${quoted}:${answer.status}`);
      if (answer.message) messageParts.push(`${quoted}:${JSON.stringify(answer.message)}`);
      const id = policyIdOf(name);
      if (id >= 0) answers.push({ id, query: sql, code: answer.code });
    }
    if (answers.length > 0) this.lastPolicyRun[h] = now;
    if (ran === 0) return undefined;
    const body =
      `${(this.keyBodies[h] ?? '{"node_key":""}').slice(0, -1)},"queries":{${queryParts.join(',')}},` +
      `"statuses":{${statusParts.join(',')}},"messages":{${messageParts.join(',')}}}`;
    return { write: { body, answers }, execMs };
  }

  private write(h: number, intended: number): void {
    const pending = this.pendingWrites.get(h);
    this.pendingWrites.delete(h);
    if (pending === undefined) {
      this.schedule(h, KIND_READ, intended);
      return;
    }
    const sent = nowMs();
    this.options.transport.post(this.global(h) % this.options.transport.targetCount, PATHS.write, pending.body, new CallbackExchange((outcome, status, text, done) => {
      this.options.recorder.record(ENDPOINT_INDEX.write, outcome, intended, sent, done);
      if (this.state[h] !== STATE_RUNNING) return;
      if (status === 401 && isNodeInvalid(text)) return this.reenroll(h, done);
      if (outcome === OUTCOME_INDEX['2xx']) {
        for (const a of pending.answers) this.options.truth.report(a.id, a.query, h, a.code === ANSWER_UNKNOWN ? ANSWER_UNKNOWN : a.code);
      }
      this.schedule(h, KIND_READ, this.nextReadAt(h, this.intended[h * KINDS + KIND_READ]!, done));
    }));
  }

  // --- logger ------------------------------------------------------------------------------------

  private log(h: number, intended: number): void {
    const period = this.loggerMs[h]!;
    const elapsed = Math.max(0, intended - this.lastLogTick[h]!);
    this.lastLogTick[h] = intended;
    this.statusLines[h]! += (this.options.agent.status_lines_per_hour / 3_600_000) * elapsed;
    this.resultLines[h]! += this.resultLinesPerMs[h]! * elapsed;
    const status = Math.min(MAX_LOG_LINES, Math.floor(this.statusLines[h]!));
    const results = Math.min(MAX_LOG_LINES, Math.floor(this.resultLines[h]!));
    let pending = (status > 0 ? 1 : 0) + (results > 0 ? 1 : 0);
    if (pending === 0) {
      this.schedule(h, KIND_LOG, this.nextTick(intended, nowMs(), period));
      return;
    }
    const afterBoth = (done: number): void => {
      if (--pending === 0 && this.state[h] === STATE_RUNNING) this.schedule(h, KIND_LOG, this.nextTick(intended, done, period));
    };
    if (status > 0) this.sendLog(h, intended, 'status', status, (ok, done) => {
      if (ok) this.statusLines[h]! -= status;
      afterBoth(done);
    });
    if (results > 0) this.sendLog(h, intended, 'result', results, (ok, done) => {
      if (ok) this.resultLines[h]! -= results;
      afterBoth(done);
    });
  }

  private sendLog(h: number, intended: number, type: 'status' | 'result', lines: number, then: (ok: boolean, done: number) => void): void {
    const keyBody = this.keyBodies[h];
    if (keyBody === undefined) return then(false, nowMs());
    const g = this.global(h);
    const sent = nowMs();
    // Built when a connection takes it (see enroll).
    this.options.transport.post(g % this.options.transport.targetCount, PATHS.log, () => this.logBody(h, keyBody, intended, type, lines), new CallbackExchange((outcome, status, text, done) => {
      this.options.recorder.record(ENDPOINT_INDEX.log, outcome, intended, sent, done);
      if (status === 401 && isNodeInvalid(text) && this.state[h] === STATE_RUNNING) {
        this.reenroll(h, done);
        return;
      }
      then(outcome === OUTCOME_INDEX['2xx'], done);
    }));
  }

  private logBody(h: number, keyBody: string, intended: number, type: 'status' | 'result', lines: number): string {
    const group = this.options.groups[this.group(h)]!;
    const identifier = hostIdentity(this.options.seed, this.global(h), group.hostname_prefix ?? group.name).uuid;
    const unix = Math.floor(intended / 1000);
    const calendar = new Date(intended).toUTCString();
    const line =
      type === 'status'
        ? `{"hostIdentifier":"${identifier}","calendarTime":"${calendar}","unixTime":"${unix}","severity":"0","filename":"scheduler.cpp","line":"83","message":"Executing scheduled query","version":"${group.osquery_version}"}`
        : `{"name":"pack/osqsim/scheduled","hostIdentifier":"${identifier}","calendarTime":"${calendar}","unixTime":${unix},"epoch":0,"counter":0,"numerics":false,"columns":{"value":"1"},"action":"snapshot"}`;
    const data = new Array<string>(lines).fill(line).join(',');
    return `${keyBody.slice(0, -1)},"log_type":"${type}","data":[${data}]}`;
  }

  /** For tests and the harness: the node key a host holds now. */
  nodeKeyOf(localHost: number): string | undefined {
    const body = this.keyBodies[localHost];
    return body === undefined ? undefined : (JSON.parse(body) as { node_key: string }).node_key;
  }

  /** Host identity of a local host (for tests and truth-by-host comparisons). */
  identityOf(localHost: number): { uuid: string; hostname: string; serial: string; group: number } {
    const g = this.global(localHost);
    const group = this.options.groups[this.group(localHost)]!;
    return { ...hostIdentity(this.options.seed, g, group.hostname_prefix ?? group.name), group: this.group(localHost) };
  }
}

/** The check-in request: its context as fields (no closure per request). */
class ReadExchange extends Exchange {
  constructor(
    private readonly agents: AgentPopulation,
    private readonly h: number,
    private readonly intended: number,
    private readonly sent: number,
  ) {
    super();
  }

  complete(outcome: number, status: number, body: string, doneMs: number): void {
    this.agents.readDone(this.h, this.intended, this.sent, outcome, status, body, doneMs);
  }
}
