/**
 * The one catalogue of osqsim's named errors (house style: fastify's lib/errors.js).
 *
 * Every error a user can meet has a stable `code`, an HTTP status (for the server's answers), an
 * exit class (for the commands: `input` exits 2, `error` exits 1; lib/cli-usage.ts `exitCodeFor`), a
 * message template and a hint that says what to do about it. docs/errors.md lists the same codes and
 * test/lib/errors.test.ts keeps the two in sync. Code that crosses worker threads matches on `code`,
 * never on `instanceof`.
 *
 * Adding an error: add one entry below (keep codes grouped by area) and one row to docs/errors.md.
 */

export type ExitClass = 'input' | 'error';

export interface ErrorDefinition {
  /** HTTP status the server answers with; CLI-only errors use 0. */
  readonly status: number;
  /**
   * What a command's exit code says about it: `input` (exit 2) when the user's input is wrong (a flag,
   * a scenario or policy file, a request the server refused as invalid), `error` (exit 1) otherwise.
   */
  readonly exit: ExitClass;
  /** Message template; `{name}` placeholders are filled from the params. */
  readonly message: string;
  /** What the user can do about it. */
  readonly hint: string;
}

export const ERRORS = {
  // --- osquery remote API -------------------------------------------------------------------
  OSQ_NODE_INVALID: {
    status: 401,
    exit: 'input',
    message: 'authentication error: {reason}',
    hint: 'The node key is missing or unknown (the host was deleted or re-enrolled elsewhere); osquery re-enrolls on node_invalid.',
  },
  OSQ_ENROLL_FAILED: {
    status: 401,
    exit: 'input',
    message: 'enroll failed: {reason}',
    hint: 'Check that the agent sends an enroll secret the server knows (--enroll-secret or the teams API).',
  },
  OSQ_BAD_REQUEST: {
    status: 400,
    exit: 'input',
    message: 'invalid request: {reason}',
    hint: 'The body must be JSON shaped like osquery\'s TLS plugin requests.',
  },
  OSQ_LOG_TYPE: {
    // Fleet's submitLogsEndpoint answers newOsqueryError("unknown log type: " + LogType), which its
    // error encoder sends as 500 (server/service/osquery.go, transport_error.go).
    status: 500,
    exit: 'error',
    message: 'unknown log type: {logType}',
    hint: 'osquery sends log_type "status" or "result" only.',
  },
  // --- HTTP in general ----------------------------------------------------------------------
  HTTP_BODY_TOO_LARGE: {
    status: 413,
    exit: 'input',
    message: 'request body is larger than the limit of {limit} bytes',
    hint: 'Raise the limit with the server\'s body-limit options, or send fewer results per request.',
  },
  HTTP_MALFORMED_JSON: {
    status: 400,
    exit: 'input',
    message: 'malformed JSON body: {reason}',
    hint: 'Send a valid JSON document with Content-Type: application/json.',
  },
  HTTP_NOT_FOUND: {
    status: 404,
    exit: 'input',
    message: 'no route for {method} {url}',
    hint: 'See README.md for the routes osqsim serves.',
  },
  HTTP_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    exit: 'input',
    message: 'unsupported content type {contentType}',
    hint: 'Send the body as JSON with Content-Type: application/json.',
  },
  HTTP_BAD_REQUEST: {
    status: 400,
    exit: 'input',
    message: 'invalid request: {reason}',
    hint: 'Check the request against the route\'s documented body and query parameters.',
  },
  HTTP_UNAUTHORIZED: {
    status: 401,
    exit: 'input',
    message: 'missing or invalid bearer token',
    hint: 'Send Authorization: Bearer <token> with the token osqsim server was given (--api-token / OSQSIM_API_TOKEN) or printed at start.',
  },
  API_NOT_FOUND: {
    status: 404,
    exit: 'input',
    message: 'not found: {reason}',
    hint: 'Check the id or name; list the resources (GET the collection) to see which exist.',
  },
  API_VALIDATION_FAILED: {
    status: 422,
    exit: 'input',
    message: 'validation failed: {name} {reason}',
    hint: 'Change the named field as the reason says and send the request again.',
  },
  POLICY_YAML_INVALID: {
    status: 400,
    exit: 'input',
    message: 'invalid policy file {file}:\n{details}',
    hint: 'Policy files are fleetctl YAML: documents with apiVersion: v1, kind: policy and spec {name, query, …}, separated by ---.',
  },
  STORE_UNAVAILABLE: {
    status: 503,
    exit: 'error',
    message: 'the store is unavailable: {reason}',
    hint: 'The database did not answer; the server keeps running and recovers when it is back. Retry later.',
  },
  STORE_CONFLICT: {
    status: 409,
    exit: 'input',
    message: '{what} already exists',
    hint: 'Names are unique within their scope (a policy per team, a team, an enroll secret); pick another name or update the existing one.',
  },
  STORE_NOT_FOUND: {
    status: 404,
    exit: 'input',
    message: '{what} not found',
    hint: 'Check the id; list the resources to see which exist.',
  },
  STORE_INVALID: {
    status: 400,
    exit: 'input',
    message: 'invalid {what}: {reason}',
    hint: 'The value does not fit the store (e.g. longer than its column of 255 characters); shorten it.',
  },
  INTERNAL: {
    status: 500,
    exit: 'error',
    message: 'internal error: {reason}',
    hint: 'This is a bug in osqsim; please report it with the server log.',
  },
  // --- CLI and configuration ----------------------------------------------------------------
  CLI_INVALID_OPTION: {
    status: 0,
    exit: 'input',
    message: 'invalid option {option}: {reason}',
    hint: 'Run the command with --help to see the accepted values.',
  },
  CLI_INVALID_DURATION: {
    status: 0,
    exit: 'input',
    message: 'invalid duration "{value}": expected a number with a unit, like 500ms, 10s, 5m or 1h',
    hint: 'Durations take ms, s, m or h (a bare number means seconds).',
  },
  CLI_INVALID_SIZE: {
    status: 0,
    exit: 'input',
    message: 'invalid size "{value}": expected bytes or a number with KiB, MiB or GiB',
    hint: 'Sizes take a byte count or a unit: 512KiB, 5MiB, 1GiB.',
  },
  CLI_INVALID_STORE: {
    status: 0,
    exit: 'input',
    message: 'invalid store "{value}": expected "memory" or mysql://user:pass@host:port/db',
    hint: 'Use --store memory (the default) or a mysql:// URL.',
  },
  CLI_INVALID_ARGUMENT: {
    status: 0,
    exit: 'input',
    message: 'invalid argument {argument}: {reason}',
    hint: 'Run the command with --help to see what it expects.',
  },
  // --- TLS (osqsim server --tls-cert/--tls-key, --tls self-signed) ---------------------------
  TLS_FILE_UNREADABLE: {
    status: 0,
    exit: 'input',
    message: 'cannot read TLS file {file}: {reason}',
    hint: 'Check the path and its permissions; --tls self-signed creates a CA, a certificate and a key for you.',
  },
  TLS_FILE_INVALID: {
    status: 0,
    exit: 'input',
    message: 'TLS file {file} is not {what}: {reason}',
    hint: 'Give --tls-cert a PEM certificate (-----BEGIN CERTIFICATE-----) and --tls-key its unencrypted PEM private key.',
  },
  TLS_CERT_EXPIRED: {
    status: 0,
    exit: 'input',
    message: 'the certificate in {file} expired at {notAfter}',
    hint: 'Renew the certificate, or use --tls self-signed:DIR with an empty DIR to create a new one.',
  },
  TLS_CERT_NOT_YET_VALID: {
    status: 0,
    exit: 'input',
    message: 'the certificate in {file} is not valid before {notBefore}',
    hint: 'Check this machine\'s clock, or issue the certificate with an earlier start date.',
  },
  TLS_KEY_MISMATCH: {
    status: 0,
    exit: 'input',
    message: 'the key in {keyFile} does not belong to the certificate in {certFile}',
    hint: 'Give --tls-key the private key the certificate was issued for (the pair from the same CSR or generator run).',
  },
  // --- the Fleet REST client (contract/fleet-rest.ts): osqsim policies, the run harness --------
  FLEET_API_NO_TOKEN: {
    status: 0,
    exit: 'input',
    message: 'no API token: pass --token or set OSQSIM_API_TOKEN',
    hint: 'osqsim server prints its API token at start (or takes one with --api-token); against Fleet, use an API-only user\'s token.',
  },
  FLEET_API_UNREACHABLE: {
    status: 0,
    exit: 'error',
    message: 'cannot reach the server at {url}: {reason}',
    hint: 'Start the server first (osqsim server prints its URL) or check the host and port of --url.',
  },
  FLEET_API_UNAUTHORIZED: {
    status: 0,
    exit: 'input',
    message: 'the server at {url} rejected the API token',
    hint: 'Pass the token osqsim server printed at start (--token or OSQSIM_API_TOKEN); against Fleet, an API-only user\'s token.',
  },
  FLEET_API_NOT_FOUND: {
    status: 0,
    exit: 'input',
    message: '{what} failed (HTTP 404): {reason}',
    hint: 'The server has no such resource or route: check the id or name, and that the server is osqsim or Fleet.',
  },
  FLEET_API_REJECTED: {
    status: 0,
    exit: 'input',
    message: '{what} failed (HTTP {status}): {reason}',
    hint: 'The server refused the request as invalid; its reasons are listed above.',
  },
  FLEET_API_FAILED: {
    status: 0,
    exit: 'error',
    message: '{what} failed (HTTP {status}): {reason}',
    hint: 'The server could not answer; see its log (osqsim server logs every failed request).',
  },
  // --- scenarios and simulator ----------------------------------------------------------------
  SCENARIO_INVALID: {
    status: 0,
    exit: 'input',
    message: 'invalid scenario {source}: {problems}',
    hint: 'Fix every listed path (each line names the key and what is wrong); see docs/scenarios.md for the format.',
  },
  SIM_INVALID_SHARD: {
    status: 0,
    exit: 'input',
    message: 'invalid shard "{value}": expected i/n with 0 <= i < n',
    hint: 'Number the shards of one run 0/3, 1/3, 2/3 and give each the same --seed and host count.',
  },
  SIM_NO_TARGET: {
    status: 0,
    exit: 'input',
    message: 'invalid target "{value}": {reason}',
    hint: 'Give --target one or more http(s)://host:port URLs separated by commas.',
  },
  SIM_TARGET_UNREACHABLE: {
    status: 0,
    exit: 'error',
    message: 'cannot reach target {target}: {reason}',
    hint: 'Start the server first (osqsim server prints its URL) or check the host and port of --target.',
  },
  SIM_REQUEST_FAILED: {
    status: 0,
    exit: 'error',
    message: 'request failed: {reason} ({errno})',
    hint: 'The target refused, closed or timed out the connection; the run counts it as a connect or timeout outcome.',
  },
  SIM_WORKER_FAILED: {
    status: 0,
    exit: 'error',
    message: 'simulator worker {worker} failed: {reason}',
    hint: 'This is a bug in osqsim or the machine ran out of memory; rerun with fewer hosts per worker.',
  },
  SERVER_PROCESS_FAILED: {
    status: 0,
    exit: 'error',
    message: 'the server under test did not start: {reason}',
    hint: 'Its last output lines follow the message; rerun with --server-log to see all of it.',
  },
  LOAD_BALANCER_NOT_FOUND: {
    status: 0,
    exit: 'error',
    message: 'HAProxy is not installed: no haproxy binary in {searched}',
    hint: 'Install it with `apt-get install -y haproxy` (Debian/Ubuntu package haproxy; `brew install haproxy` on macOS), or set server.load_balancer: none so the simulator spreads hosts over the instances itself.',
  },
  LOAD_BALANCER_FAILED: {
    status: 0,
    exit: 'error',
    message: 'the load balancer (HAProxy) is not serving: {reason}',
    hint: 'Its configuration and last output lines follow the message; check that every server instance answers GET /healthz.',
  },
  SHARD_PROCESS_FAILED: {
    status: 0,
    exit: 'error',
    message: 'simulator shard {shard} failed: {reason}',
    hint: 'Its last output lines follow the message; the same command run alone (osqsim simulate --shard …) shows all of it.',
  },
  // --- reports --------------------------------------------------------------------------------
  RESULT_FILE_INVALID: {
    status: 0,
    exit: 'input',
    message: 'invalid result file {file}: {reason}',
    hint: 'Give a result.json written by osqsim run, osqsim simulate --out or osqsim report merge.',
  },
  RESULT_MERGE_INVALID: {
    status: 0,
    exit: 'input',
    message: 'cannot merge these results: {reason}',
    hint: 'Merge the result files of the shards of one run (osqsim simulate --shard i/n with the same --seed and hosts), each once.',
  },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof ERRORS;

/** An error from the catalogue. `code` is stable across versions and threads. */
export class OsqsimError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly exit: ExitClass;
  readonly hint: string;
  readonly params: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, params: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    const definition: ErrorDefinition = ERRORS[code];
    super(formatMessage(definition.message, params), options);
    this.name = 'OsqsimError';
    this.code = code;
    this.status = definition.status;
    this.exit = definition.exit;
    this.hint = definition.hint;
    this.params = params;
  }
}

export function formatMessage(template: string, params: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    key in params ? String(params[key]) : whole,
  );
}

export function osqsimError(code: ErrorCode, params: Record<string, unknown> = {}, cause?: unknown): OsqsimError {
  return new OsqsimError(code, params, cause === undefined ? undefined : { cause });
}

/** True for an OsqsimError, also one rebuilt from a structured clone across threads. */
export function isOsqsimError(value: unknown, code?: ErrorCode): value is OsqsimError {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { code?: unknown };
  if (typeof candidate.code !== 'string' || !(candidate.code in ERRORS)) return false;
  return code === undefined || candidate.code === code;
}
