/**
 * fleetd's periods, retries and backoffs at defaults, as pure values and functions. Each constant
 * names the fleetdm/fleet source it comes from (notes with commits: reference/fleetd-orbit.md;
 * docs/fidelity.md maps each rule to its test). Durations are milliseconds.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

// --- orbit (orbit/cmd/orbit/orbit.go, client/orbit_client.go) -------------------------------------

/** orbit/cmd/orbit/orbit.go: `defaultOrbitConfigReceiverInterval = 30 * time.Second`, a plain time.Ticker (no jitter). */
export const ORBIT_CONFIG_INTERVAL_MS = 30 * SECOND;
/** client/orbit_client.go GetConfig: `retry.WithInterval(30s), retry.WithMaxAttempts(2)`: one retry 30 s later. */
export const ORBIT_CONFIG_ATTEMPTS = 2;
export const ORBIT_CONFIG_RETRY_MS = 30 * SECOND;
/** client/orbit_client.go: `backoff.New(30s, maxConfigBackoff = 5*time.Minute)` after a failed GetConfig. */
export const ORBIT_CONFIG_BACKOFF_BASE_MS = 30 * SECOND;
export const ORBIT_CONFIG_BACKOFF_MAX_MS = 5 * MINUTE;
/** orbit/pkg/backoff/backoff.go: jitter uniform in [0, 10 %] of the wait. */
export const ORBIT_BACKOFF_JITTER = 0.1;
/** client/orbit_client.go: `unauthenticatedReenrollGracePeriod = 45 * time.Second` of continuous 401s before re-enrolling. */
export const ORBIT_REENROLL_GRACE_MS = 45 * SECOND;

/**
 * pkg/fleethttp/fleethttp.go `DefaultTimeout = 60 * time.Second`: the http.Client timeout of every
 * fleetd client (client/base_client.go newBaseClient → fleethttp.NewClient with no WithTimeout), for
 * orbit's and Fleet Desktop's requests alike; osquery's own timeout does not apply to them.
 */
export const FLEETD_HTTP_TIMEOUT_MS = 60 * SECOND;

/** client/orbit_client.go: `OrbitEnrollRetrySleep = 10s`, `OrbitEnrollBackoffMultiplier = 2`, `OrbitEnrollMaxRetries = 6`. */
export const ORBIT_ENROLL_RETRY_SLEEP_MS = 10 * SECOND;
export const ORBIT_ENROLL_BACKOFF_MULTIPLIER = 2;
export const ORBIT_ENROLL_MAX_ATTEMPTS = 6;

/** orbit/cmd/orbit/orbit.go capabilitiesChecker: `time.NewTicker(5 * time.Minute)`, HEAD /api/fleet/orbit/ping. */
export const ORBIT_CAPABILITIES_INTERVAL_MS = 5 * MINUTE;

// --- device token (orbit/pkg/token) ----------------------------------------------------------------

/** orbit/pkg/token/reader.go: `expirationDuration = 1 * time.Hour`: the token is rotated when it is this old. */
export const TOKEN_EXPIRATION_MS = HOUR;
/** orbit/pkg/token/readwriter.go: `localCheckDuration` 30 s (file and expiry check, no network). */
export const TOKEN_LOCAL_CHECK_MS = 30 * SECOND;
/** orbit/pkg/token/readwriter.go: `remoteCheckDuration` 5 min: CheckToken = HEAD /device/{token}/ping. */
export const TOKEN_REMOTE_CHECK_MS = 5 * MINUTE;
/** orbit/pkg/token/readwriter.go Rotate: up to 3 attempts of POST /orbit/device_token, 5 s apart. */
export const TOKEN_ROTATE_ATTEMPTS = 3;
export const TOKEN_ROTATE_RETRY_MS = 5 * SECOND;

// --- Fleet Desktop (orbit/cmd/desktop/desktop.go, client/device_client.go) -------------------------

/** desktop.go: `checkInterval = 5 * time.Minute`: one GET /device/{token}/desktop per tick. */
export const DESKTOP_SUMMARY_INTERVAL_MS = 5 * MINUTE;
/** desktop.go checkToken: `time.NewTicker(5 * time.Second)` until the summary succeeds (402 counts as success). */
export const DESKTOP_TOKEN_CHECK_MS = 5 * SECOND;
/** PRs GH#45623/#45624: the checkToken loop backs off, capped at 5 min ("1 request per 5 min" while invalid). */
export const DESKTOP_TOKEN_CHECK_MAX_MS = 5 * MINUTE;
/** desktop.go: the identifier file's mtime is checked every 1 s: a rotated token is seen within 1 s. */
export const DESKTOP_TOKEN_FILE_CHECK_MS = SECOND;
/** PR GH#31685 (merged 2025-08-06): HEAD /api/fleet/device/ping every 10 s (connectivity / offline indicator). */
export const DESKTOP_PING_INTERVAL_MS = 10 * SECOND;

/**
 * The wait before enroll attempt `failures + 1` after `failures` failed ones (10, 20, 40, 80, 160 s,
 * client/orbit_client.go enroll), or undefined when the attempts are used up.
 */
export function orbitEnrollWaitMs(failures: number): number | undefined {
  if (failures >= ORBIT_ENROLL_MAX_ATTEMPTS) return undefined;
  return ORBIT_ENROLL_RETRY_SLEEP_MS * ORBIT_ENROLL_BACKOFF_MULTIPLIER ** (failures - 1);
}

/**
 * orbit/pkg/backoff/backoff.go: after `failures` failed config fetches in a row, the loop waits
 * min(base · 2^failures + jitter, max), jitter = `unit` · 10 % of the doubled wait (`unit` in [0, 1)).
 */
export function orbitConfigBackoffMs(failures: number, unit: number): number {
  const wait = ORBIT_CONFIG_BACKOFF_BASE_MS * 2 ** Math.min(failures, 16);
  return Math.min(wait + unit * ORBIT_BACKOFF_JITTER * wait, ORBIT_CONFIG_BACKOFF_MAX_MS);
}

/**
 * Fleet Desktop's checkToken wait after `failures` failed summaries in a row: 5 s doubling, capped
 * at 5 min (GH#45623: the cap and the start are Fleet's; the doubling is our reading of "exponential").
 */
export function desktopTokenCheckWaitMs(failures: number): number {
  return Math.min(DESKTOP_TOKEN_CHECK_MS * 2 ** Math.max(0, Math.min(failures - 1, 16)), DESKTOP_TOKEN_CHECK_MAX_MS);
}

/**
 * The next run of a loop on a Go time.Ticker whose previous tick was `previousTick` and whose work
 * ended at `now`: the next tick, or — when the work took longer than the period — `now`, because
 * the ticker's channel holds one missed tick (further missed ticks are dropped).
 */
export function nextTickerTick(previousTick: number, now: number, interval: number): number {
  const next = previousTick + interval;
  return next < now ? now : next;
}

/** The first tick of a ticker started at `anchor` that falls at or after `at`. */
export function tickAtOrAfter(anchor: number, at: number, interval: number): number {
  return at <= anchor ? anchor : anchor + Math.ceil((at - anchor) / interval) * interval;
}

/**
 * The first tick of a ticker started at `anchor` strictly after `at`, at least 1 ms later: the next
 * run of a loop whose tick at `at` is being handled now. A Go time.Ticker delivers each tick once
 * (orbit/pkg/token/readwriter.go `StartRotation`: `rotationTicker := time.NewTicker(rw.localCheckDuration)`,
 * a failed check or Rotate is logged and the loop waits for the next tick), so a check that cannot
 * go ahead at `at` waits one period, never 0 ms (tickAtOrAfter(anchor, at) is `at` itself when `at`
 * is a tick, which rescheduled the same event into the slot being drained, forever).
 */
export function tickAfter(anchor: number, at: number, interval: number): number {
  let next = at < anchor ? anchor : anchor + (Math.floor((at - anchor) / interval) + 1) * interval;
  // Float rounding can land `next` on `at` itself (or within a slot of it): one more period.
  if (next - at < 1) next += interval;
  return next;
}
