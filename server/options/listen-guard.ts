/**
 * A server reachable from other machines must be given its REST API token: on a non-loopback
 * `--host` (0.0.0.0, ::, a LAN address, a host name) without `--api-token`/OSQSIM_API_TOKEN the
 * server refuses to start, unless `--allow-no-api-token` says a generated token (printed once at
 * start) is what the user wants. Loopback addresses and `localhost` are reachable only from this
 * machine, so a generated token stays the default there.
 */
import { isIP } from 'node:net';
import type { ServerOptions } from './options.js';

/** 127.0.0.0/8, ::1, ::ffff:127.x.y.z, and the name localhost (which resolves only to those). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:127\./.test(bare) || /^0*:(0*:){6}0*1$/.test(bare);
  return false;
}

/** The --host check: the reason a server on `host` must not start as configured, else undefined. */
export function unguardedListen(host: string, options: ServerOptions, nameOf: (key: keyof ServerOptions) => string): string | undefined {
  if (isLoopbackHost(host) || options.allowNoApiToken || (options.apiToken !== undefined && options.apiToken !== '')) return undefined;
  return (
    `${host} is not a loopback address and no API token is set: give one with ${nameOf('apiToken')} (or OSQSIM_API_TOKEN), ` +
    `or pass ${nameOf('allowNoApiToken')} to start with a token generated and printed at start`
  );
}
