/**
 * osquery's TLS request rules (osquery 5.x; osquery/remote/utility.h, TLSRequestHelper::go):
 * - an answer is a failure when the request got no response, when its body is not JSON, or when the
 *   body carries `error` — WHATEVER the HTTP status (osquery/remote/transports/tls.cpp, sendRequest,
 *   deserialises the body and never looks at the status code);
 * - `node_invalid: true` in the body clears the node key (and is a failure);
 * - `go(uri, params, output, attempts)` tries `attempts` times and sleeps i² s after the i-th failure
 *   (1 s, 4 s, …); the caller sees one failure after the last attempt.
 */

/** What one answer means to the agent. */
export const ANSWER_OK = 0;
export const ANSWER_FAILED = 1;
/** `node_invalid: true`: a failure that also clears the node key. */
export const ANSWER_NODE_INVALID = 2;

/**
 * Classifies an answer as osquery does. `status` is 0 when there was no response (timeout, connect
 * error). The common case (a JSON object without "error" or "node_invalid") is decided without parsing.
 */
export function classifyAnswer(status: number, text: string): number {
  if (status === 0) return ANSWER_FAILED;
  const hasError = text.indexOf('"error"') !== -1;
  const hasInvalid = text.indexOf('node_invalid') !== -1;
  if (!hasError && !hasInvalid && looksLikeObject(text)) return ANSWER_OK;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return ANSWER_FAILED;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return ANSWER_FAILED;
  const record = body as Record<string, unknown>;
  if (record.node_invalid === true) return ANSWER_NODE_INVALID;
  return 'error' in record ? ANSWER_FAILED : ANSWER_OK;
}

function looksLikeObject(text: string): boolean {
  let start = 0;
  let end = text.length - 1;
  while (start <= end && text.charCodeAt(start) <= 32) start++;
  while (end >= start && text.charCodeAt(end) <= 32) end--;
  return text.charCodeAt(start) === 0x7b && text.charCodeAt(end) === 0x7d; // { … }
}

/** The sleep after the `attempt`-th failed attempt (1-based): attempt² seconds, in ms. */
export function retrySleepMs(attempt: number): number {
  return attempt * attempt * 1000;
}
