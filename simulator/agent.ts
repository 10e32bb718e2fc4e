/**
 * osquery agents, many per worker, as one state machine over compact per-host arrays (no object and
 * no timer per host: events go through a timing wheel). Each rule follows osquery 5.x's source; the
 * rules live in simulator/agent/* and docs/fidelity.md maps each to its source and its test:
 * - start at runStart + (g / hosts) · start_period (+ optional jitter): linear spread;
 * - every request needs the node key; without one the host enrolls first (agent/enroll-backoff.ts:
 *   1, 4, 9 … s up to `tls_enroll_max_interval`, `tls_enroll_max_attempts` tries, no jitter) and then
 *   sends the request it was about to send; `node_invalid` in ANY answer clears the key, so the
 *   next attempt of that same request re-enrolls and re-sends it; other loops keep their phases;
 * - config, read and write try `config_tls_max_attempts` / `distributed_tls_max_attempts` times with
 *   i² s sleeps (agent/retry.ts); a body with `error` is a failure whatever the status;
 * - config at start and every `config_refresh` (a CLI flag: the agent section's, never the served
 *   config's); a failed refresh waits `config_accelerated_refresh` instead;
 * - distributed loop: read → run the queries (agent/distributed-run.ts) → write everything the host
 *   holds (agent/retained-writes.ts: a failed write's results are re-sent each loop until accepted)
 *   → sleep `distributed_interval` AFTER completion (5 s while `accelerate` is open);
 *   `pacing: fixed-rate` ticks like osquery-perf instead (missed ticks are dropped);
 * - logger (agent/logger-buffer.ts): a check at start and every `logger_tls_period`, one request per
 *   type with lines, results first within `logger_tls_max_lines`, per-type backoff, `buffered_log_max`;
 *   status lines at start-up and `status_lines_per_hour`; result lines from the served config's
 *   `schedule` and `packs` (agent/schedule.ts);
 * - a query in `crash_queries` crashes the agent: it restarts after `crash_restart_delay` with its
 *   node key, its buffered logs and the query denylisted (agent/denylist.ts); results held in memory
 *   are lost.
 *
 * Times are epoch milliseconds (performance.timeOrigin + now, or the injected clock). Each request is
 * measured from its INTENDED start (when osquery would have sent it) as well as from the actual send.
 */
import { parseNodeKey } from './server-answers.js';
import { unitFloat } from '../lib/rng.js';
import type { AgentSpec, FleetGroupSpec } from '../contract/fleet-spec.js';
import type { AgentBehaviour } from '../contract/result.js';
import type { AnswerModel } from './fleet/answers.js';
import { ANSWER_UNKNOWN, type GroundTruth } from './fleet/truth.js';
import { globalIndex, hostIdentity, type HostIdentity, type HostSlice } from './identity.js';
import { enrollBody, enrollBodyParts, type EnrollBodyParts } from './enroll-body.js';
import { ENDPOINT_INDEX, type Recorder } from './recorder.js';
import type { TimingWheel } from './timing-wheel.js';
import { nowMs } from './clock.js';
import { CallbackExchange, Exchange } from './transport/exchange.js';
import type { BodySource } from './transport/transport.js';
import { ANSWER_NODE_INVALID, ANSWER_OK, classifyAnswer, retrySleepMs } from './agent/retry.js';
import { enrollRetries, enrollWaitMs } from './agent/enroll-backoff.js';
import { DistributedResults } from './agent/retained-writes.js';
import { mayCarryWork, runDistributed } from './agent/distributed-run.js';
import { Denylist } from './agent/denylist.js';
import { ConfigProfiles } from './agent/config-profile.js';
import { LoggerBackoffs } from './agent/logger-buffer.js';
import { LogBuffers, type HostSchedule } from './agent/log-buffers.js';
import { resultData, statusData } from './agent/log-lines.js';
import { osqueryFlagsFor } from './orbit/osquery-flags.js';

export const KIND_ENROLL = 0;
export const KIND_CONFIG = 1;
export const KIND_READ = 2;
export const KIND_WRITE = 3;
export const KIND_LOG = 4;
const KINDS = 5;

const STATE_IDLE = 0;
/** Up, waiting for its first config (osquery loads config before it starts its other threads). */
const STATE_STARTING = 2;
const STATE_RUNNING = 3;
const STATE_STOPPED = 4;
/** Crashed; down until its restart. */
const STATE_CRASHED = 5;

/** Per-host flags. */
const FLAG_ENROLLING = 1;
/** The last config refresh failed: the next waits `config_accelerated_refresh` (config.cpp, Config::refresh). */
const FLAG_CONFIG_ACCELERATED = 2;

/** osquery's kDistributedAccelerationInterval. */
export const ACCELERATED_INTERVAL_MS = 5000;
/** Events pack (generation:8 | host:20 | kind:3) into one small integer. */
export const MAX_HOSTS_PER_WORKER = 1 << 20;
const MAX_HOSTS_PER_WORKER_MASK = MAX_HOSTS_PER_WORKER - 1;
/** The body a request carries when enrollment gave up: osquery sends it with an empty key. */
const EMPTY_KEY_BODY = '{"node_key":""}';

export const PATHS = {
  enroll: '/api/osquery/enroll',
  config: '/api/osquery/config',
  read: '/api/osquery/distributed/read',
  write: '/api/osquery/distributed/write',
  log: '/api/osquery/log',
} as const;

/** What the agents need of a transport (transport/transport.ts's Transport; tests pass a scripted one). */
export interface AgentTransport {
  readonly targetCount: number;
  post(targetIndex: number, path: string, body: BodySource, exchange: Exchange): void;
}

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
  transport: AgentTransport;
  recorder: Recorder;
  answers: AnswerModel;
  truth: GroundTruth;
  queryTimeMs: { min: number; max: number };
  /** The clock (default: clock.ts's nowMs); tests drive a fake one. */
  clock?: () => number;
  /** fleetd's orbit loop (simulator/orbit/population.ts), started and stopped with each host. */
  orbit?: HostLifecycleHook;
}

/** Told when a host starts (at its start time) and stops; `agent: fleetd` hosts run orbit beside osquery. */
export interface HostLifecycleHook {
  start(localHost: number, atMs: number): void;
  stopHost(localHost: number): void;
}

/** What the agents did that osquery's rules add (the result's `agents` block). */
export type AgentCounts = AgentBehaviour;

/** All the agents one worker runs: per-host state in typed arrays, events on the timing wheel. */
export class AgentPopulation {
  private readonly size: number;
  private readonly state: Uint8Array;
  private readonly flags: Uint8Array;
  private readonly scheduled: Uint8Array;
  private readonly generations: Uint8Array;
  /** Attempt number of the current request, per (host, kind); for enroll, the failures of the sequence. */
  private readonly tries: Uint16Array;
  /** Bumped when a host crashes, stops or starts: answers to requests of an earlier life are ignored. */
  private readonly lives: Uint8Array;
  /** Kinds waiting for the node key (bit per kind): sent when enrollment ends. */
  private readonly waitingForKey: Uint8Array;
  /** `{"node_key":"…"}` per enrolled host: the whole body of config and read requests. */
  private readonly keyBodies: Array<string | undefined>;
  private readonly intended: Float64Array;
  private readonly distributedMs: Uint32Array;
  private readonly loggerMs: Uint32Array;
  /** Index of the host's config profile (agent/config-profile.ts); 0 before any config. */
  private readonly profileOf: Uint16Array;
  private readonly accelerateUntil: Float64Array;
  private readonly runs: Uint32Array;
  private readonly lastPolicyRun: Float64Array;
  /** Only hosts holding results / backing off / that crashed have entries here. */
  private readonly results: DistributedResults;
  private readonly logs: LogBuffers;
  private readonly loggerBackoff = new LoggerBackoffs();
  private readonly denylist = new Denylist();
  private readonly profiles = new ConfigProfiles();
  /** Per group: the JSON fragments of its enroll request (enroll-body.ts), built on first use. */
  private readonly enrollParts: Array<EnrollBodyParts | undefined> = [];
  /** Per group: the flags its osquery runs with (fleetd's for `agent: fleetd` groups). */
  private readonly groupFlags: AgentSpec[];
  private readonly now: () => number;
  private activeLocal = 0;
  private started = false;
  private lastTotal = 0;
  private stopping = false;
  enrolled = 0;
  readonly counts: AgentCounts = {
    write_results_retained: 0,
    write_results_resent: 0,
    write_results_dropped: 0,
    enroll_gave_up: 0,
    crashes: 0,
    crash_results_lost: 0,
    denylisted_answers: 0,
    batches_aborted: 0,
    log_lines_purged: 0,
    orbit_reenrolls: 0, // fleetd's orbit counts its own (shard.ts adds them)
  };

  constructor(private readonly options: AgentPopulationOptions) {
    const n = options.slice.size;
    this.size = n;
    if (n > MAX_HOSTS_PER_WORKER) throw new RangeError(`a worker runs at most ${MAX_HOSTS_PER_WORKER} hosts; use more workers`);
    this.now = options.clock ?? nowMs;
    this.state = new Uint8Array(n);
    this.flags = new Uint8Array(n);
    this.scheduled = new Uint8Array(n);
    this.generations = new Uint8Array(n * KINDS);
    this.tries = new Uint16Array(n * KINDS);
    this.waitingForKey = new Uint8Array(n);
    this.lives = new Uint8Array(n);
    this.keyBodies = new Array<string | undefined>(n);
    this.intended = new Float64Array(n * KINDS);
    this.distributedMs = new Uint32Array(n).fill(options.agent.distributed_interval);
    this.loggerMs = new Uint32Array(n).fill(options.agent.logger_tls_period);
    this.profileOf = new Uint16Array(n);
    this.accelerateUntil = new Float64Array(n);
    this.runs = new Uint32Array(n);
    this.lastPolicyRun = new Float64Array(n);
    this.logs = new LogBuffers(n);
    this.results = new DistributedResults(options.agent.retained_results_max_bytes);
    this.groupFlags = options.groups.map((group) => osqueryFlagsFor(group, options.agent));
  }

  private global(h: number): number {
    return globalIndex(this.options.slice, h);
  }

  private group(h: number): number {
    return this.options.groupOf[this.global(h)]!;
  }

  private target(h: number): number {
    return this.global(h) % this.options.transport.targetCount;
  }

  /**
   * At most one pending event per (host, kind). `replace` supersedes a pending one (its generation
   * no longer matches, so it is ignored when it fires).
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

  /** Supersedes every pending event of a host (a crash, a stop). */
  private cancelAll(h: number): void {
    this.lives[h] = (this.lives[h]! + 1) & 0xff;
    for (let kind = 0; kind < KINDS; kind++) {
      const slot = h * KINDS + kind;
      this.generations[slot] = (this.generations[slot]! + 1) & 0xff;
      this.tries[slot] = 0;
    }
    this.scheduled[h] = 0;
    this.waitingForKey[h] = 0;
    this.flags[h]! &= ~FLAG_ENROLLING;
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
      if (s === STATE_IDLE) {
        // A seeded phase in [0, 1): the periodic status lines of different hosts fall at uniformly spread
        // times (6/h per host is 6/h × hosts from the start), not all on the same multiple of the period.
        this.logs.status[h] = agent.startup_status_lines + unitFloat(this.options.seed, g, 0x57a7);
      }
      this.cancelAll(h);
      this.state[h] = STATE_STARTING;
      this.schedule(h, KIND_CONFIG, at, true);
      this.options.orbit?.start(h, at);
    }
    for (let h = target; h < this.activeLocal; h++) {
      this.state[h] = STATE_STOPPED;
      this.cancelAll(h);
      this.options.orbit?.stopHost(h);
    }
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
    if (state === STATE_CRASHED) {
      if (kind === KIND_CONFIG) this.restart(h);
      return;
    }
    if (state !== STATE_RUNNING && state !== STATE_STARTING) return;
    if (kind !== KIND_CONFIG && state !== STATE_RUNNING && kind !== KIND_ENROLL) return;
    if (kind === KIND_ENROLL) return this.enroll(h, this.intended[h * KINDS + KIND_ENROLL]!);
    const keyBody = this.keyBodies[h];
    if (keyBody === undefined) return this.needKey(h, kind);
    this.send(h, kind, keyBody);
  }

  private send(h: number, kind: number, keyBody: string): void {
    const intended = this.intended[h * KINDS + kind]!;
    switch (kind) {
      case KIND_CONFIG:
        return this.config(h, intended, keyBody);
      case KIND_READ:
        return this.read(h, intended, keyBody);
      case KIND_WRITE:
        return this.write(h, intended, keyBody);
      case KIND_LOG:
        return this.log(h, intended, keyBody);
    }
  }

  // --- node key and enroll -------------------------------------------------------------------------

  /**
   * A request needs the node key and the host has none: osquery's getNodeKey enrolls first (one
   * sequence at a time; other threads wait for it), then the request goes out.
   */
  private needKey(h: number, kind: number): void {
    this.waitingForKey[h]! |= 1 << kind;
    if (this.flags[h]! & FLAG_ENROLLING) return;
    this.flags[h]! |= FLAG_ENROLLING;
    // A direct call, as getNodeKey enrolls in the requesting thread at once: an event for now,
    // scheduled while its slot is being drained, would wait for the timing wheel's next drain call.
    // A pending enroll event is superseded, as schedule(…, replace) did.
    const slot = h * KINDS + KIND_ENROLL;
    const now = this.now();
    this.tries[slot] = 0;
    this.generations[slot] = (this.generations[slot]! + 1) & 0xff;
    this.scheduled[h]! &= ~(1 << KIND_ENROLL);
    this.intended[slot] = now;
    this.enroll(h, now);
  }

  /** The enroll request: the group's part is built once per group, the host's identity spliced in. */
  private enrollBody(h: number): string {
    const groupIndex = this.group(h);
    const group = this.options.groups[groupIndex]!;
    const parts = (this.enrollParts[groupIndex] ??= enrollBodyParts(group, this.options.enrollSecret));
    return enrollBody(parts, hostIdentity(this.options.seed, this.global(h), group.hostname_prefix ?? group.name));
  }

  private enroll(h: number, intended: number): void {
    const sent = this.now();
    const life = this.lives[h]!;
    // Built when a connection takes it: a queued enrolment wave holds no bodies.
    this.options.transport.post(this.target(h), PATHS.enroll, () => this.enrollBody(h), new CallbackExchange((outcome, status, text, done) => {
      this.options.recorder.record(ENDPOINT_INDEX.enroll, outcome, intended, sent, done);
      if (this.lives[h] !== life || !(this.flags[h]! & FLAG_ENROLLING)) return;
      // tls_enroll.cpp, requestKey: the key is read from the body, whatever the status.
      const key = status !== 0 ? parseNodeKey(text) : undefined;
      if (key !== undefined) {
        if (this.keyBodies[h] === undefined) this.enrolled++;
        this.keyBodies[h] = `{"node_key":${JSON.stringify(key)}}`;
        return this.enrollEnded(h, done, this.keyBodies[h]!);
      }
      const slot = h * KINDS + KIND_ENROLL;
      const failures = ++this.tries[slot]!;
      const { tls_enroll_max_attempts: maxAttempts, tls_enroll_max_interval: maxInterval } = this.options.agent;
      if (enrollRetries(failures, maxAttempts)) {
        this.schedule(h, KIND_ENROLL, done + enrollWaitMs(failures, maxInterval), true);
        return;
      }
      // enroll() returns "": the waiting requests go out with an empty key (and fail: node_invalid).
      this.counts.enroll_gave_up++;
      this.enrollEnded(h, done, EMPTY_KEY_BODY);
    }));
  }

  /** Enrollment ended (a key, or given up): the requests that waited for it go out now. */
  private enrollEnded(h: number, done: number, keyBody: string): void {
    this.flags[h]! &= ~FLAG_ENROLLING;
    this.tries[h * KINDS + KIND_ENROLL] = 0;
    const waiting = this.waitingForKey[h]!;
    this.waitingForKey[h] = 0;
    for (let kind = 1; kind < KINDS; kind++) {
      if (!(waiting & (1 << kind))) continue;
      this.intended[h * KINDS + kind] = done;
      this.send(h, kind, keyBody);
    }
  }

  /** `node_invalid`: osquery clears the key (utility.h, go); the server forgot the host's answers. */
  private clearKey(h: number): void {
    if (this.keyBodies[h] === undefined) return;
    this.keyBodies[h] = undefined;
    this.enrolled--;
    this.options.truth.forgetHost(h);
  }

  /** What the request's body and header carry (`node_key_auth`; tls.cpp, decorateRequest). */
  private bodyOf(keyBody: string): string {
    return this.options.agent.node_key_auth === 'header' && keyBody !== EMPTY_KEY_BODY ? '{}' : keyBody;
  }

  private authorize(exchange: Exchange, keyBody: string): Exchange {
    if (this.options.agent.node_key_auth !== 'body' && keyBody !== EMPTY_KEY_BODY) {
      // keyBody is {"node_key":"…"}: the key is its string literal (escaped only if it holds \ or ").
      const literal = keyBody.slice(12, -1);
      const key = literal.indexOf('\\') === -1 ? literal.slice(1, -1) : (JSON.parse(literal) as string);
      exchange.authorization = `NodeKey ${key}`;
    }
    return exchange;
  }

  /**
   * After a failed attempt of a config/read/write: the next attempt after i² s, or undefined when the
   * attempts are used up (utility.h, TLSRequestHelper::go). `node_invalid` cleared the key, so the
   * next attempt re-enrolls first and re-sends the same request.
   */
  private retry(h: number, kind: number, answer: number, done: number, maxAttempts: number): boolean {
    if (answer === ANSWER_NODE_INVALID) this.clearKey(h);
    const slot = h * KINDS + kind;
    const attempt = ++this.tries[slot]!;
    if (attempt < maxAttempts) {
      this.schedule(h, kind, done + retrySleepMs(attempt) * this.options.agent.retry_sleep_scale, true);
      return true;
    }
    this.tries[slot] = 0;
    return false;
  }

  // --- config ------------------------------------------------------------------------------------

  private config(h: number, intended: number, keyBody: string): void {
    const sent = this.now();
    const life = this.lives[h]!;
    const exchange = new CallbackExchange((outcome, status, text, done) => {
      this.options.recorder.record(ENDPOINT_INDEX.config, outcome, intended, sent, done);
      const state = this.state[h]!;
      if (this.lives[h] !== life || (state !== STATE_RUNNING && state !== STATE_STARTING)) return;
      const answer = classifyAnswer(status, text);
      const { agent } = this.options;
      if (answer !== ANSWER_OK && this.retry(h, KIND_CONFIG, answer, done, agent.config_tls_max_attempts)) return;
      this.tries[h * KINDS + KIND_CONFIG] = 0;
      let refresh = this.groupFlags[this.group(h)]!.config_refresh;
      if (answer === ANSWER_OK) {
        this.flags[h]! &= ~FLAG_CONFIG_ACCELERATED;
        this.adoptConfig(h, text, done);
      } else {
        // config.cpp, Config::refresh: a failed refresh waits config_accelerated_refresh.
        this.flags[h]! |= FLAG_CONFIG_ACCELERATED;
        refresh = agent.config_accelerated_refresh;
      }
      if (state === STATE_STARTING) {
        // osquery starts its distributed and logger threads once the first config load is done
        // (whatever its outcome); the logger checks at once (buffered.cpp, start).
        this.state[h] = STATE_RUNNING;
        this.schedule(h, KIND_READ, done, true);
        this.logs.lastCheck[h] = done;
        this.schedule(h, KIND_LOG, done, true);
      }
      this.schedule(h, KIND_CONFIG, this.nextTick(intended, done, refresh), true);
    });
    this.options.transport.post(this.target(h), PATHS.config, this.bodyOf(keyBody), this.authorize(exchange, keyBody));
  }

  private adoptConfig(h: number, text: string, now: number): void {
    const index = this.profiles.intern(text);
    if (index === undefined) return;
    const { options } = this.profiles.get(index);
    if (options.distributedMs !== undefined) this.distributedMs[h] = options.distributedMs;
    if (options.loggerMs !== undefined) this.loggerMs[h] = options.loggerMs;
    if (this.profileOf[h] !== index) {
      this.profileOf[h] = index;
      this.logs.scheduleSince[h] = now;
    }
  }

  private distributedAttempts(h: number): number {
    return this.profiles.get(this.profileOf[h]!).options.distributedAttempts ?? this.groupFlags[this.group(h)]!.distributed_tls_max_attempts;
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

  private read(h: number, intended: number, keyBody: string): void {
    const sent = this.now();
    if (this.tries[h * KINDS + KIND_READ] === 0) this.options.recorder.checkin(sent - intended);
    const exchange = new ReadExchange(this, h, intended, sent, this.lives[h]!);
    this.options.transport.post(this.target(h), PATHS.read, this.bodyOf(keyBody), this.authorize(exchange, keyBody));
  }

  /** The hot path: every check-in ends here. */
  readDone(h: number, intended: number, sent: number, life: number, outcome: number, status: number, text: string, done: number): void {
    this.options.recorder.record(ENDPOINT_INDEX.read, outcome, intended, sent, done);
    if (this.lives[h] !== life || this.state[h] !== STATE_RUNNING) return;
    const answer = classifyAnswer(status, text);
    if (answer !== ANSWER_OK && this.retry(h, KIND_READ, answer, done, this.distributedAttempts(h))) return;
    this.tries[h * KINDS + KIND_READ] = 0;
    // distributed_runner.cpp: pullUpdates (a failure only means no new work), runQueries, pause.
    let execMs = 0;
    if (answer === ANSWER_OK && mayCarryWork(text)) {
      const ran = this.runQueries(h, text, done);
      if (ran === undefined) return; // crashed
      execMs = ran;
    }
    if (this.results.has(h)) {
      this.schedule(h, KIND_WRITE, done + execMs, true);
      return;
    }
    this.schedule(h, KIND_READ, this.nextReadAt(h, intended, done), true);
  }

  private nextReadAt(h: number, intended: number, done: number): number {
    return this.nextTick(intended, done, this.distributedInterval(h, done));
  }

  /** Runs the read's queries into the host's results; the run's execution time, or undefined if it crashed. */
  private runQueries(h: number, text: string, now: number): number | undefined {
    const g = this.global(h);
    const group = this.group(h);
    let identity: HostIdentity | undefined;
    const groupSpec = this.options.groups[group]!;
    const { agent } = this.options;
    const outcome = runDistributed(text, {
      seed: this.options.seed,
      h,
      g,
      group,
      run: this.runs[h]! + 1,
      sinceLastPolicyMs: this.lastPolicyRun[h]! > 0 ? now - this.lastPolicyRun[h]! : 0,
      now,
      answers: this.options.answers,
      truth: this.options.truth,
      denylist: this.denylist,
      crashQueries: agent.crash_queries,
      queryTimeMs: this.options.queryTimeMs,
      stringStatuses: agent.string_statuses,
      identity: () => (identity ??= hostIdentity(this.options.seed, g, groupSpec.hostname_prefix ?? groupSpec.name)),
    });
    if (outcome.aborted) this.counts.batches_aborted++;
    if (outcome.accelerateS > 0) this.accelerateUntil[h] = now + outcome.accelerateS * 1000;
    this.counts.denylisted_answers += outcome.denylisted;
    if (outcome.crashedOn !== undefined) {
      this.crash(h, outcome.crashedOn, now + outcome.execMs);
      return undefined;
    }
    if (outcome.results.length > 0) {
      this.runs[h]!++;
      this.results.add(h, outcome.results);
    }
    if (outcome.ranPolicies) this.lastPolicyRun[h] = now;
    return outcome.execMs;
  }

  private write(h: number, intended: number, keyBody: string): void {
    const body = this.results.body(h, this.bodyOf(keyBody));
    if (body === undefined) {
      this.schedule(h, KIND_READ, this.nextReadAt(h, this.intended[h * KINDS + KIND_READ]!, intended), true);
      return;
    }
    const sent = this.now();
    const life = this.lives[h]!;
    const exchange = new CallbackExchange((outcome, status, text, done) => {
      this.options.recorder.record(ENDPOINT_INDEX.write, outcome, intended, sent, done);
      if (this.lives[h] !== life || this.state[h] !== STATE_RUNNING) return;
      const answer = classifyAnswer(status, text);
      if (answer !== ANSWER_OK && this.retry(h, KIND_WRITE, answer, done, this.distributedAttempts(h))) return;
      this.tries[h * KINDS + KIND_WRITE] = 0;
      if (answer === ANSWER_OK) {
        for (const r of this.results.accepted(h)) {
          if (r.policyId >= 0) this.options.truth.report(r.policyId, r.query, h, r.code === ANSWER_UNKNOWN ? ANSWER_UNKNOWN : r.code);
        }
      } else this.results.failed(h); // distributed.cpp, flushCompleted: kept for the next loop
      this.schedule(h, KIND_READ, this.nextReadAt(h, this.intended[h * KINDS + KIND_READ]!, done), true);
    });
    this.options.transport.post(this.target(h), PATHS.write, body, this.authorize(exchange, keyBody));
  }

  // --- crash and restart ---------------------------------------------------------------------------

  /** The agent died running `sql`: the query stays denylisted; results in memory are lost. */
  private crash(h: number, sql: string, at: number): void {
    const { agent } = this.options;
    this.counts.crashes++;
    this.counts.crash_results_lost += this.results.lose(h);
    this.denylist.add(h, sql, at + agent.distributed_denylist_duration);
    this.loggerBackoff.forget(h);
    this.cancelAll(h);
    this.state[h] = STATE_CRASHED;
    this.schedule(h, KIND_CONFIG, at + agent.crash_restart_delay, true);
  }

  /** Back up after a crash: the node key and buffered logs were in osquery's database; start-up lines are logged again. */
  private restart(h: number): void {
    this.state[h] = STATE_STARTING;
    this.logs.status[h]! += this.options.agent.startup_status_lines;
    this.flags[h]! &= ~FLAG_CONFIG_ACCELERATED;
    const keyBody = this.keyBodies[h];
    if (keyBody === undefined) this.needKey(h, KIND_CONFIG);
    else this.send(h, KIND_CONFIG, keyBody);
  }

  // --- logger ------------------------------------------------------------------------------------

  /** The host's scheduled queries and their answers for its group (undefined without a schedule). */
  private hostSchedule(h: number): HostSchedule | undefined {
    const index = this.profileOf[h]!;
    const profile = this.profiles.get(index);
    if (profile.schedule.length === 0) return undefined;
    const group = this.group(h);
    const answers = this.profiles.answersFor(index, group, this.options.groups[group]!, (sql) => this.options.answers.sqlAnswer(group, sql));
    return { queries: profile.schedule, answers, seed: this.options.seed, hostIndex: this.global(h) };
  }

  private loggerBackoffMax(h: number): number {
    return this.profiles.get(this.profileOf[h]!).options.loggerBackoffMaxMs ?? this.options.agent.logger_tls_backoff_max;
  }

  /** One check of osquery's buffered forwarder (buffered.cpp, check), then the next after its pauses. */
  private log(h: number, intended: number, keyBody: string): void {
    const { agent } = this.options;
    this.logs.accrue(h, intended, agent.status_lines_per_hour / 3_600_000, this.hostSchedule(h));
    const take = this.logs.take(h, this.profiles.get(this.profileOf[h]!).options.loggerMaxLines ?? agent.logger_tls_max_lines);
    const results = this.loggerBackoff.maySend(h, 'results') ? take.results : 0;
    const statuses = this.loggerBackoff.maySend(h, 'statuses') ? take.statuses : 0;
    const sendStatusesThen = (done: number): void => {
      if (this.state[h] !== STATE_RUNNING) return;
      // After a node_invalid on the results the key is gone: the statuses wait for the next check.
      const key = this.keyBodies[h];
      if (statuses > 0 && key !== undefined) {
        this.sendLog(h, intended, key, 'status', statuses, undefined, (ok, end) => {
          if (ok) this.logs.removeStatuses(h, statuses);
          this.loggerBackoff.record(h, 'statuses', ok, this.loggerMs[h]!, this.loggerBackoffMax(h));
          this.logChecked(h, end);
        });
      } else this.logChecked(h, done);
    };
    if (results > 0) {
      const picks = this.logs.pick(h, results);
      this.sendLog(h, intended, keyBody, 'result', results, picks, (ok, done) => {
        if (ok) this.logs.removeResults(h, picks);
        this.loggerBackoff.record(h, 'results', ok, this.loggerMs[h]!, this.loggerBackoffMax(h));
        sendStatusesThen(done);
      });
    } else sendStatusesThen(this.now());
  }

  /** After the statuses' send (or none): purge over buffered_log_max, then pause period(s) (buffered.cpp, start). */
  private logChecked(h: number, done: number): void {
    if (this.state[h] !== STATE_RUNNING) return;
    this.logs.purge(h, this.profiles.get(this.profileOf[h]!).options.bufferedLogMax ?? this.options.agent.buffered_log_max);
    const period = this.loggerMs[h]!;
    const next = this.loggerBackoff.nextCheck(h, this.nextTick(this.intended[h * KINDS + KIND_LOG]!, done, period), period, this.loggerBackoffMax(h));
    this.schedule(h, KIND_LOG, next, true);
  }

  private sendLog(h: number, intended: number, keyBody: string, type: 'status' | 'result', lines: number, picks: readonly number[] | undefined, then: (ok: boolean, done: number) => void): void {
    const sent = this.now();
    const life = this.lives[h]!;
    const exchange = new CallbackExchange((outcome, status, text, done) => {
      this.options.recorder.record(ENDPOINT_INDEX.log, outcome, intended, sent, done);
      // A host that crashed or stopped meanwhile has no logger thread left to hear the answer.
      if (this.lives[h] !== life || this.state[h] !== STATE_RUNNING) return;
      const answer = classifyAnswer(status, text);
      // tls_logger.cpp, send: one attempt; node_invalid clears the key (the next check re-enrolls).
      if (answer === ANSWER_NODE_INVALID) this.clearKey(h);
      then(answer === ANSWER_OK, done);
    });
    // Built when a connection takes it (see enroll).
    this.options.transport.post(this.target(h), PATHS.log, () => this.logBody(h, this.bodyOf(keyBody), intended, type, lines, picks), this.authorize(exchange, keyBody));
  }

  private logBody(h: number, keyBody: string, intended: number, type: 'status' | 'result', lines: number, picks: readonly number[] | undefined): string {
    const group = this.options.groups[this.group(h)]!;
    const identifier = hostIdentity(this.options.seed, this.global(h), group.hostname_prefix ?? group.name).uuid;
    const schedule = this.profiles.get(this.profileOf[h]!).schedule;
    const data = type === 'status' ? statusData(lines, identifier, intended, group.osquery_version) : resultData(picks ?? [-1, lines], identifier, intended, schedule);
    const prefix = keyBody.length > 2 ? `${keyBody.slice(0, -1)},` : '{';
    return `${prefix}"log_type":"${type}","data":[${data}]}`;
  }

  /** The counts of osquery's rules so far (retained writes from the results store). */
  agentCounts(): AgentCounts {
    const r = this.results.counts;
    return { ...this.counts, write_results_retained: r.retained, write_results_resent: r.resent, write_results_dropped: r.dropped, log_lines_purged: this.logs.purged };
  }

  /** For tests and the harness: the node key a host holds now. */
  nodeKeyOf(localHost: number): string | undefined {
    const body = this.keyBodies[localHost];
    return body === undefined ? undefined : (JSON.parse(body) as { node_key: string }).node_key;
  }

  /** For tests: the buffered log lines of a host. */
  bufferedLines(localHost: number): { results: number; statuses: number } {
    return this.logs.buffered(localHost);
  }

  /** For memory tests: hosts holding per-host side state (results, logger backoff). */
  get sideState(): { results: number; loggerBackoff: number } {
    return { results: this.results.size, loggerBackoff: this.loggerBackoff.size };
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
    private readonly life: number,
  ) {
    super();
  }

  complete(outcome: number, status: number, body: string, doneMs: number): void {
    this.agents.readDone(this.h, this.intended, this.sent, this.life, outcome, status, body, doneMs);
  }
}

