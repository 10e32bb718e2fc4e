/**
 * fetch() that trusts a given CA: a self-signed osqsim server's ca.pem (`--tls self-signed`), for the
 * harness's REST calls and /metrics reads. Node's fetch takes an undici dispatcher; one Agent per CA
 * is kept for the process, so connections are re-used across calls.
 */
import { Agent } from 'undici';

const agents = new Map<string, Agent>();

/** RequestInit fields that make fetch trust `ca` (PEM) for https; none for undefined (the system's roots). */
export function trustingInit(ca: string | undefined): RequestInit {
  if (ca === undefined) return {};
  let agent = agents.get(ca);
  if (agent === undefined) {
    agent = new Agent({ connect: { ca } });
    agents.set(ca, agent);
  }
  // `dispatcher` is undici's extension of RequestInit, which Node's fetch honours.
  return { dispatcher: agent } as unknown as RequestInit;
}
