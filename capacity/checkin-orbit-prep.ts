/**
 * The orbit preparations of the endpoint table (checkin-endpoints.ts) over HTTP: each bench host's
 * identifier enrolled through `POST /api/fleet/orbit/enroll` (an orbit node key), and for
 * `device-token` its token set through `POST /api/fleet/orbit/device_token`.
 */
import type { Pool } from 'undici';
import { forEachLimited, post } from '../simulator/open-loop/hosts.js';
import { deviceTokenBody, orbitEnrollBody, type EndpointHost, type EndpointPreparation } from './checkin-endpoints.js';

export interface OrbitPrepOutcome {
  /** The hosts that hold an orbit node key (and, for `device-token`, whose token was accepted). */
  hosts: EndpointHost[];
  failures: number;
  firstFailure?: string;
}

export async function prepareOrbitHosts(
  pool: Pool,
  hosts: readonly EndpointHost[],
  enrollSecret: string,
  preparation: EndpointPreparation,
  concurrency: number,
): Promise<OrbitPrepOutcome> {
  const ready: Array<EndpointHost | undefined> = new Array(hosts.length);
  let failures = 0;
  let firstFailure: string | undefined;
  const fail = (why: string): void => {
    failures++;
    firstFailure ??= why;
  };
  await forEachLimited(hosts.length, concurrency, async (i) => {
    const host: EndpointHost = { ...hosts[i]! };
    try {
      const enroll = await post(pool, '/api/fleet/orbit/enroll', orbitEnrollBody(enrollSecret, host.identifier));
      const key = enroll.status === 200 ? (JSON.parse(enroll.body) as { orbit_node_key?: unknown }).orbit_node_key : undefined;
      if (typeof key !== 'string' || key === '') return fail(`orbit enroll: HTTP ${enroll.status}: ${enroll.body.slice(0, 200)}`);
      host.orbitNodeKey = key;
      if (preparation === 'device-token') {
        const token = await post(pool, '/api/fleet/orbit/device_token', deviceTokenBody(host));
        if (token.status !== 200) return fail(`device_token: HTTP ${token.status}: ${token.body.slice(0, 200)}`);
      }
      ready[i] = host;
    } catch (error) {
      fail((error as Error).message);
    }
  });
  return { hosts: ready.filter((host): host is EndpointHost => host !== undefined), failures, ...(firstFailure === undefined ? {} : { firstFailure }) };
}
