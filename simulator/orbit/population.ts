/**
 * fleetd's own traffic for the hosts of `agent: fleetd` groups: orbit (enroll, config poll,
 * capabilities ping, device-token write, rotation and remote check) and Fleet Desktop (token check,
 * summary poll, connectivity ping), beside the osquery agent that simulator/agent.ts runs for the
 * same host. Per-host state lives in typed arrays and every event goes through the osquery agents'
 * timing wheel (events tagged with the top bit, see ORBIT_EVENT), so a fleetd host costs no timer.
 *
 * The rules and their sources are in timings.ts; the sequence at start follows orbit.go's main:
 * HEAD /orbit/ping (reachability) → POST /orbit/config (enrolling first when orbit has no node key)
 * → a new device token is POSTed to /orbit/device_token → the token's rotation (hourly) and remote
 * check (5 min) loops, the capabilities checker (5 min), and Fleet Desktop (its token check every 5 s
 * until the summary succeeds, then the summary every 5 min and the connectivity ping every 10 s).
 * orbit's tickers are Go time.Tickers: fixed rate, no jitter, phase set by the process start (the
 * host's start time, spread over the run's start_period as osquery's are). Jitter appears only in
 * the config backoff. TUF update checks go to the update server, not Fleet, and are not simulated.
 */
import { hash32, unitFloat } from '../../lib/rng.js';
import type { FleetdPhase, FleetGroupSpec } from '../../contract/fleet-spec.js';
import type { OrbitEndpointName } from '../../contract/vocabulary.js';
import { globalIndex, hostIdentity, type HostSlice } from '../identity.js';
import { ORBIT_ENDPOINT_INDEX, type Recorder } from '../recorder.js';
import type { TimingWheel } from '../timing-wheel.js';
import { CallbackExchange } from '../transport/exchange.js';
import type { BodySource } from '../transport/transport.js';
import {
  DESKTOP_PING_INTERVAL_MS,
  DESKTOP_SUMMARY_INTERVAL_MS,
  DESKTOP_TOKEN_FILE_CHECK_MS,
  FLEETD_HTTP_TIMEOUT_MS,
  ORBIT_CAPABILITIES_INTERVAL_MS,
  ORBIT_CONFIG_ATTEMPTS,
  ORBIT_CONFIG_INTERVAL_MS,
  ORBIT_CONFIG_RETRY_MS,
  ORBIT_REENROLL_GRACE_MS,
  TOKEN_EXPIRATION_MS,
  TOKEN_LOCAL_CHECK_MS,
  TOKEN_REMOTE_CHECK_MS,
  TOKEN_ROTATE_ATTEMPTS,
  TOKEN_ROTATE_RETRY_MS,
  desktopTokenCheckWaitMs,
  nextTickerTick,
  orbitConfigBackoffMs,
  tickAfter,
  tickAtOrAfter,
  orbitEnrollWaitMs,
} from './timings.js';

/** Orbit events carry this bit on the shared wheel; the osquery agents' events never do. */
export const ORBIT_EVENT = 0x80000000 | 0;

export const ORBIT_KIND_ENROLL = 0;
export const ORBIT_KIND_CONFIG = 1;
/** HEAD /api/fleet/orbit/ping: at start, then the capabilities checker. */
export const ORBIT_KIND_PING = 2;
/** POST /api/fleet/orbit/device_token (a new token: at start and on rotation). */
export const ORBIT_KIND_ROTATE = 3;
/** HEAD /api/latest/fleet/device/{token}/ping (orbit's remote token check). */
export const ORBIT_KIND_TOKEN_CHECK = 4;
/** GET /api/latest/fleet/device/{token}/desktop (Fleet Desktop's token check and summary). */
export const ORBIT_KIND_DESKTOP = 5;
/** HEAD /api/fleet/device/ping (Fleet Desktop's connectivity check). */
export const ORBIT_KIND_DEVICE_PING = 6;
const KINDS = 7;

export const ORBIT_PATHS = {
  enroll: '/api/fleet/orbit/enroll',
  config: '/api/fleet/orbit/config',
  ping: '/api/fleet/orbit/ping',
  deviceToken: '/api/fleet/orbit/device_token',
  devicePing: '/api/fleet/device/ping',
  device: '/api/latest/fleet/device/',
} as const;

const STATE_IDLE = 0;
const STATE_RUNNING = 1;
const STATE_STOPPED = 2;

/** Per-host flags. */
const FLAG_STARTED_LOOPS = 1;
/** Fleet Desktop is in its checkToken loop (the summary has not succeeded with the current token). */
const FLAG_DESKTOP_CHECKING = 2;
const FLAG_DESKTOP_STARTED = 4;
const FLAG_WAITING_FOR_KEY = 8;
/** The first device token is being written (not yet accepted): config ticks must not start another. */
const FLAG_TOKEN_PENDING = 16;

/** What the orbit population needs of a transport (the osquery agents' transport, with HEAD/GET). */
export interface OrbitTransport {
  readonly targetCount: number;
  post(targetIndex: number, path: string, body: BodySource, exchange: CallbackExchange): void;
}

export interface OrbitPopulationOptions {
  seed: number;
  slice: HostSlice;
  groupOf: Uint16Array;
  groups: readonly FleetGroupSpec[];
  enrollSecret: string;
  wheel: TimingWheel;
  transport: OrbitTransport;
  recorder: Recorder;
  clock: () => number;
  /** `steady`: seeded phases for the 5 min and 1 h tickers and a token of seeded age (AgentSpec.fleetd_phase). */
  phase?: FleetdPhase;
}

/** Counts of fleetd's rules (for tests and the result's agents block readers). */
export interface OrbitCounts {
  enroll_gave_up: number;
  reenrolls: number;
  rotations: number;
}

const isOk = (status: number): boolean => status >= 200 && status < 300;

/** A deterministic UUIDv4 per (seed, host, rotation): orbit's token is uuid.New() (orbit/pkg/token/readwriter.go). */
export function deviceToken(seed: number, g: number, rotation: number): string {
  const hex = [0, 1, 2, 3].map((i) => hash32(seed, g, rotation, 0x70c3, i).toString(16).padStart(8, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[parseInt(hex[16]!, 16) & 3]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export class OrbitPopulation {
  private readonly size: number;
  private readonly state: Uint8Array;
  private readonly flags: Uint8Array;
  private readonly scheduled: Uint8Array;
  private readonly generations: Uint8Array;
  private readonly intended: Float64Array;
  private readonly tries: Uint16Array;
  private readonly lives: Uint8Array;
  /** `{"orbit_node_key":"…"}` per enrolled host. */
  private readonly keyBodies: Array<string | undefined>;
  private readonly tokens: Array<string | undefined>;
  private readonly rotations: Uint32Array;
  /** The host's process start: the phase of its tickers. */
  private readonly startedAt: Float64Array;
  /** The config ticker's last tick (fixed rate). */
  private readonly configTick: Float64Array;
  private readonly configFailures: Uint8Array;
  /** Start of the current run of 401s on /orbit/config (0: none). */
  private readonly unauthorizedSince: Float64Array;
  private readonly desktopFailures: Uint8Array;
  private readonly now: () => number;
  private stopping = false;
  enrolled = 0;
  readonly counts: OrbitCounts = { enroll_gave_up: 0, reenrolls: 0, rotations: 0 };

  constructor(private readonly options: OrbitPopulationOptions) {
    const n = options.slice.size;
    this.size = n;
    this.now = options.clock;
    this.state = new Uint8Array(n);
    this.flags = new Uint8Array(n);
    this.scheduled = new Uint8Array(n);
    this.generations = new Uint8Array(n * KINDS);
    this.intended = new Float64Array(n * KINDS);
    this.tries = new Uint16Array(n * KINDS);
    this.lives = new Uint8Array(n);
    this.keyBodies = new Array<string | undefined>(n);
    this.tokens = new Array<string | undefined>(n);
    this.rotations = new Uint32Array(n);
    this.startedAt = new Float64Array(n);
    this.configTick = new Float64Array(n);
    this.configFailures = new Uint8Array(n);
    this.unauthorizedSince = new Float64Array(n);
    this.desktopFailures = new Uint8Array(n);
  }

  private global(h: number): number {
    return globalIndex(this.options.slice, h);
  }

  private group(h: number): FleetGroupSpec {
    return this.options.groups[this.options.groupOf[this.global(h)]!]!;
  }

  /** Whether local host `h` runs fleetd (its group says `agent: fleetd`). */
  runsFleetd(h: number): boolean {
    return h < this.size && this.group(h).agent === 'fleetd';
  }

  private desktopEnabled(h: number): boolean {
    return this.group(h).fleet_desktop !== false;
  }

  private target(h: number): number {
    return this.global(h) % this.options.transport.targetCount;
  }

  private schedule(h: number, kind: number, atMs: number): void {
    const slot = h * KINDS + kind;
    const generation = (this.generations[slot]! + 1) & 0xff;
    this.generations[slot] = generation;
    this.scheduled[h]! |= 1 << kind;
    this.intended[slot] = atMs;
    this.options.wheel.schedule(atMs, ORBIT_EVENT | (generation << 23) | (h << 3) | kind);
  }

  /**
   * The first tick of a long ticker: one period after `from` (a fresh start), or, in the steady
   * phase, a seeded point within the period (processes started long ago; phases uniform over hosts).
   */
  private firstTick(h: number, from: number, period: number, salt: number): number {
    if (this.options.phase !== 'steady') return from + period;
    return from + Math.max(1, Math.floor(unitFloat(this.options.seed, this.global(h), salt) * period));
  }

  /** orbit starts with the host (the hook in simulator/agent.ts calls this at the host's start time). */
  start(h: number, atMs: number): void {
    if (!this.runsFleetd(h) || this.state[h] === STATE_RUNNING) return;
    this.cancelAll(h);
    this.state[h] = STATE_RUNNING;
    this.startedAt[h] = atMs;
    this.flags[h] = 0;
    this.configFailures[h] = 0;
    this.unauthorizedSince[h] = 0;
    this.desktopFailures[h] = 0;
    // orbit.go: `serverIsReachable := orbitClient.Ping() == nil` before anything else.
    this.schedule(h, ORBIT_KIND_PING, atMs);
  }

  /** The host stopped (a ramp down): orbit and Desktop stop with it; the node key stays on disk. */
  stopHost(h: number): void {
    if (this.state[h] !== STATE_RUNNING) return;
    this.state[h] = STATE_STOPPED;
    this.cancelAll(h);
  }

  private cancelAll(h: number): void {
    this.lives[h] = (this.lives[h]! + 1) & 0xff;
    for (let kind = 0; kind < KINDS; kind++) {
      const slot = h * KINDS + kind;
      this.generations[slot] = (this.generations[slot]! + 1) & 0xff;
      this.tries[slot] = 0;
    }
    this.scheduled[h] = 0;
  }

  stop(): void {
    this.stopping = true;
  }

  /** One due orbit event from the wheel (the caller strips nothing: the tag bit is ignored here). */
  fire(event: number): void {
    const h = (event >>> 3) & 0xfffff;
    const kind = event & 7;
    const generation = (event >>> 23) & 0xff;
    if (generation !== this.generations[h * KINDS + kind]) return;
    this.scheduled[h]! &= ~(1 << kind);
    if (this.stopping || this.state[h] !== STATE_RUNNING) return;
    const intended = this.intended[h * KINDS + kind]!;
    switch (kind) {
      case ORBIT_KIND_ENROLL:
        return this.enroll(h, intended);
      case ORBIT_KIND_CONFIG:
        return this.config(h, intended);
      case ORBIT_KIND_PING:
        return this.ping(h, intended);
      case ORBIT_KIND_ROTATE:
        return this.rotate(h, intended);
      case ORBIT_KIND_TOKEN_CHECK:
        return this.tokenCheck(h, intended);
      case ORBIT_KIND_DESKTOP:
        return this.desktop(h, intended);
      case ORBIT_KIND_DEVICE_PING:
        return this.devicePing(h, intended);
    }
  }

  /** Sends one request; `then` runs only if the host is still in the same life when it ends. */
  private request(h: number, endpoint: OrbitEndpointName, method: 'POST' | 'GET' | 'HEAD', path: string, body: BodySource, intended: number, then: (status: number, text: string, done: number) => void): void {
    const sent = this.now();
    const life = this.lives[h]!;
    const exchange = new CallbackExchange((outcome, status, text, done) => {
      this.options.recorder.record(ORBIT_ENDPOINT_INDEX[endpoint], outcome, intended, sent, done);
      if (this.lives[h] !== life || this.state[h] !== STATE_RUNNING || this.stopping) return;
      then(status, text, done);
    });
    exchange.method = method;
    // fleetd's Go clients give up after 60 s, not at osquery's timeout: a shorter one abandons
    // requests the server still runs (an abandoned enroll applied after its retry leaves orbit
    // holding a key the server has already replaced: 401s until the re-enroll below).
    exchange.timeoutMs = FLEETD_HTTP_TIMEOUT_MS;
    this.options.transport.post(this.target(h), path, body, exchange);
  }

  // --- orbit: ping, enroll, config ----------------------------------------------------------------

  private ping(h: number, intended: number): void {
    this.request(h, 'orbit_ping', 'HEAD', ORBIT_PATHS.ping, '', intended, (_status, _text, done) => {
      // client/orbit_client.go Ping: the outcome only decides `serverIsReachable`; orbit goes on.
      if (!(this.flags[h]! & FLAG_STARTED_LOOPS)) {
        this.flags[h]! |= FLAG_STARTED_LOOPS;
        this.configTick[h] = done;
        this.schedule(h, ORBIT_KIND_CONFIG, done);
        this.schedule(h, ORBIT_KIND_PING, this.firstTick(h, done, ORBIT_CAPABILITIES_INTERVAL_MS, 0xca9));
        return;
      }
      this.schedule(h, ORBIT_KIND_PING, nextTickerTick(intended, done, ORBIT_CAPABILITIES_INTERVAL_MS));
    });
  }

  private enrollBody(h: number): string {
    const group = this.group(h);
    const id = hostIdentity(this.options.seed, this.global(h), group.hostname_prefix ?? group.name);
    const platformLike = group.platform === 'darwin' ? 'darwin' : group.platform === 'windows' ? 'windows' : group.platform === 'ubuntu' || group.platform === 'debian' ? 'debian' : 'rhel';
    return JSON.stringify({
      enroll_secret: group.team ?? this.options.enrollSecret,
      hardware_uuid: id.uuid,
      hardware_serial: id.serial,
      hostname: id.hostname,
      platform: group.platform,
      platform_like: platformLike,
      osquery_identifier: id.uuid,
      computer_name: id.hostname,
      hardware_model: '',
    });
  }

  /** client/orbit_client.go enroll: 10, 20, 40, 80, 160 s between at most 6 attempts; a 404 is not retried. */
  private enroll(h: number, intended: number): void {
    this.request(h, 'orbit_enroll', 'POST', ORBIT_PATHS.enroll, () => this.enrollBody(h), intended, (status, text, done) => {
      const key = isOk(status) ? orbitKey(text) : undefined;
      const slot = h * KINDS + ORBIT_KIND_ENROLL;
      if (key !== undefined) {
        this.tries[slot] = 0;
        this.keyBodies[h] = `{"orbit_node_key":${JSON.stringify(key)}}`;
        this.enrolled++;
        return this.keyReady(h, done);
      }
      const failures = ++this.tries[slot]!;
      const wait = status === 404 ? undefined : orbitEnrollWaitMs(failures);
      if (wait !== undefined) return this.schedule(h, ORBIT_KIND_ENROLL, done + wait);
      // The receivers' run failed: the next config tick (30 s) tries again from the first attempt.
      this.tries[slot] = 0;
      this.counts.enroll_gave_up++;
      this.flags[h]! &= ~FLAG_WAITING_FOR_KEY;
      this.schedule(h, ORBIT_KIND_CONFIG, tickAtOrAfter(this.configTick[h]!, done, ORBIT_CONFIG_INTERVAL_MS));
    });
  }

  private keyReady(h: number, done: number): void {
    if (!(this.flags[h]! & FLAG_WAITING_FOR_KEY)) return;
    this.flags[h]! &= ~FLAG_WAITING_FOR_KEY;
    this.schedule(h, ORBIT_KIND_CONFIG, done);
  }

  private config(h: number, intended: number): void {
    const keyBody = this.keyBodies[h];
    if (keyBody === undefined) {
      // GetConfig needs the orbit node key: orbit enrolls first (client/orbit_client.go getNodeKeyOrEnroll).
      // A direct call, as in orbit (no wheel round trip: an event for now, scheduled while its slot is
      // drained, would wait for the wheel's next drain call); a pending enroll event is superseded.
      this.flags[h]! |= FLAG_WAITING_FOR_KEY;
      const slot = h * KINDS + ORBIT_KIND_ENROLL;
      this.tries[slot] = 0;
      this.generations[slot] = (this.generations[slot]! + 1) & 0xff;
      this.scheduled[h]! &= ~(1 << ORBIT_KIND_ENROLL);
      this.intended[slot] = intended;
      return this.enroll(h, intended);
    }
    this.request(h, 'orbit_config', 'POST', ORBIT_PATHS.config, keyBody, intended, (status, _text, done) => {
      const slot = h * KINDS + ORBIT_KIND_CONFIG;
      if (isOk(status)) {
        this.tries[slot] = 0;
        this.configFailures[h] = 0;
        this.unauthorizedSince[h] = 0;
        if (this.tokens[h] === undefined && !(this.flags[h]! & FLAG_TOKEN_PENDING)) {
          // token.LoadOrGenerate: a new token is written and POSTed to the server (once).
          this.flags[h]! |= FLAG_TOKEN_PENDING;
          this.schedule(h, ORBIT_KIND_ROTATE, done);
        }
        const tick = nextTickerTick(this.configTick[h]!, done, ORBIT_CONFIG_INTERVAL_MS);
        this.configTick[h] = tick;
        return this.schedule(h, ORBIT_KIND_CONFIG, tick);
      }
      if (status === 401) {
        // client/orbit_client.go: re-enroll once 401s have lasted the grace period (45 s).
        if (this.unauthorizedSince[h] === 0) this.unauthorizedSince[h] = done;
        else if (done - this.unauthorizedSince[h]! >= ORBIT_REENROLL_GRACE_MS) {
          this.keyBodies[h] = undefined;
          this.enrolled--;
          this.unauthorizedSince[h] = 0;
          this.counts.reenrolls++;
        }
      }
      // GetConfig's retry.Do retries only network errors and 5xx; a 4xx goes straight to the backoff.
      const attempt = status === 0 || status >= 500 ? ++this.tries[slot]! : ORBIT_CONFIG_ATTEMPTS;
      if (attempt < ORBIT_CONFIG_ATTEMPTS) return this.schedule(h, ORBIT_KIND_CONFIG, done + ORBIT_CONFIG_RETRY_MS);
      this.tries[slot] = 0;
      const failures = Math.min(++this.configFailures[h]!, 250);
      this.configFailures[h] = failures;
      const wait = orbitConfigBackoffMs(failures, unitFloat(this.options.seed, this.global(h), failures, 0xbac0));
      this.configTick[h] = done + wait;
      this.schedule(h, ORBIT_KIND_CONFIG, done + wait);
    });
  }

  // --- device token -------------------------------------------------------------------------------

  /** orbit/pkg/token/readwriter.go Rotate: a new UUID POSTed to /orbit/device_token, 3 attempts 5 s apart. */
  private rotate(h: number, intended: number): void {
    const keyBody = this.keyBodies[h];
    // No orbit node key (re-enrolling after 401s): the rotation waits for the next 30 s local check,
    // strictly after `intended`. nextLocalCheck(h, intended) is `intended` itself when this event fires
    // on a local-check tick, as it does after the first wait: it rescheduled itself into the slot being
    // drained, in a loop that never sent a request (the fleetd-defaults stall).
    if (keyBody === undefined) return this.schedule(h, ORBIT_KIND_ROTATE, tickAfter(this.startedAt[h]!, intended, TOKEN_LOCAL_CHECK_MS));
    const token = deviceToken(this.options.seed, this.global(h), this.rotations[h]!);
    const body = `${keyBody.slice(0, -1)},"device_auth_token":"${token}"}`;
    this.request(h, 'orbit_device_token', 'POST', ORBIT_PATHS.deviceToken, body, intended, (status, _text, done) => {
      const slot = h * KINDS + ORBIT_KIND_ROTATE;
      if (!isOk(status)) {
        const attempt = ++this.tries[slot]!;
        if (attempt < TOKEN_ROTATE_ATTEMPTS) return this.schedule(h, ORBIT_KIND_ROTATE, done + TOKEN_ROTATE_RETRY_MS);
        // The token stays stale: the next local check (every 30 s) rotates again.
        this.tries[slot] = 0;
        return this.schedule(h, ORBIT_KIND_ROTATE, this.nextLocalCheck(h, done));
      }
      this.tries[slot] = 0;
      const first = this.tokens[h] === undefined;
      this.flags[h]! &= ~FLAG_TOKEN_PENDING;
      this.tokens[h] = token;
      this.rotations[h]!++;
      if (!first) this.counts.rotations++;
      // Expired after 1 h; seen by the first local check (30 s ticker) after that. In the steady
      // phase the first token is of seeded age, so rotations are spread over the hour.
      const expires = first ? this.firstTick(h, done, TOKEN_EXPIRATION_MS, 0x707) : done + TOKEN_EXPIRATION_MS;
      this.schedule(h, ORBIT_KIND_ROTATE, this.nextLocalCheck(h, expires));
      if (first) this.schedule(h, ORBIT_KIND_TOKEN_CHECK, this.firstTick(h, done, TOKEN_REMOTE_CHECK_MS, 0x7c4));
      if (this.desktopEnabled(h)) this.tokenChanged(h, done, first);
    });
  }

  /** The token's local check ticks every 30 s from the process start. */
  private nextLocalCheck(h: number, at: number): number {
    return tickAtOrAfter(this.startedAt[h]!, at, TOKEN_LOCAL_CHECK_MS);
  }

  /** orbit's remote check: HEAD /device/{token}/ping every 5 min; a failure rotates at once. */
  private tokenCheck(h: number, intended: number): void {
    const token = this.tokens[h]!;
    this.request(h, 'device_token_ping', 'HEAD', `${ORBIT_PATHS.device}${token}/ping`, '', intended, (status, _text, done) => {
      this.schedule(h, ORBIT_KIND_TOKEN_CHECK, nextTickerTick(intended, done, TOKEN_REMOTE_CHECK_MS));
      if (!isOk(status) && !(this.scheduled[h]! & (1 << ORBIT_KIND_ROTATE) && this.tries[h * KINDS + ORBIT_KIND_ROTATE]! > 0)) {
        this.schedule(h, ORBIT_KIND_ROTATE, done);
      }
    });
  }

  // --- Fleet Desktop ------------------------------------------------------------------------------

  /** A token was written: Desktop starts (first) or sees the file change within 1 s, and checks the token. */
  private tokenChanged(h: number, done: number, first: boolean): void {
    this.flags[h]! |= FLAG_DESKTOP_CHECKING;
    this.desktopFailures[h] = 0;
    this.schedule(h, ORBIT_KIND_DESKTOP, first ? done : done + DESKTOP_TOKEN_FILE_CHECK_MS);
    if (first && !(this.flags[h]! & FLAG_DESKTOP_STARTED)) {
      this.flags[h]! |= FLAG_DESKTOP_STARTED;
      this.schedule(h, ORBIT_KIND_DEVICE_PING, done);
    }
  }

  /** GET /device/{token}/desktop: the token check loop (5 s, backing off) until it succeeds, then the summary every 5 min. */
  private desktop(h: number, intended: number): void {
    const token = this.tokens[h]!;
    this.request(h, 'desktop', 'GET', `${ORBIT_PATHS.device}${token}/desktop`, '', intended, (status, _text, done) => {
      // 402 (Fleet Free, ErrMissingLicense) counts as success (desktop.go checkToken).
      const ok = isOk(status) || status === 402;
      const checking = (this.flags[h]! & FLAG_DESKTOP_CHECKING) !== 0;
      if (ok) {
        this.desktopFailures[h] = 0;
        if (checking) {
          this.flags[h]! &= ~FLAG_DESKTOP_CHECKING;
          // The summary ticker starts with Desktop: a seeded phase only for Desktop's first check.
          const first = this.rotations[h]! <= 1;
          return this.schedule(h, ORBIT_KIND_DESKTOP, first ? this.firstTick(h, done, DESKTOP_SUMMARY_INTERVAL_MS, 0xde5) : done + DESKTOP_SUMMARY_INTERVAL_MS);
        }
        return this.schedule(h, ORBIT_KIND_DESKTOP, nextTickerTick(intended, done, DESKTOP_SUMMARY_INTERVAL_MS));
      }
      if (checking || status === 401) {
        // desktop.go: a 401 on the summary disables the tray and runs checkToken again.
        this.flags[h]! |= FLAG_DESKTOP_CHECKING;
        const failures = Math.min(++this.desktopFailures[h]!, 250);
        this.desktopFailures[h] = failures;
        return this.schedule(h, ORBIT_KIND_DESKTOP, done + desktopTokenCheckWaitMs(failures));
      }
      this.schedule(h, ORBIT_KIND_DESKTOP, nextTickerTick(intended, done, DESKTOP_SUMMARY_INTERVAL_MS));
    });
  }

  /** HEAD /api/fleet/device/ping every 10 s, whatever the answer (the offline indicator counts failures). */
  private devicePing(h: number, intended: number): void {
    this.request(h, 'device_ping', 'HEAD', ORBIT_PATHS.devicePing, '', intended, (_status, _text, done) => {
      this.schedule(h, ORBIT_KIND_DEVICE_PING, nextTickerTick(intended, done, DESKTOP_PING_INTERVAL_MS));
    });
  }

  /** For tests: the orbit node key and device token a host holds now. */
  keysOf(h: number): { orbitNodeKey: string | undefined; deviceToken: string | undefined } {
    const body = this.keyBodies[h];
    return { orbitNodeKey: body === undefined ? undefined : (JSON.parse(body) as { orbit_node_key: string }).orbit_node_key, deviceToken: this.tokens[h] };
  }
}

function orbitKey(text: string): string | undefined {
  try {
    const key = (JSON.parse(text) as { orbit_node_key?: unknown }).orbit_node_key;
    return typeof key === 'string' && key !== '' ? key : undefined;
  } catch {
    return undefined;
  }
}
