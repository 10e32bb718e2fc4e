/**
 * The cost of new connections: `concurrency` loops that each open a connection to a server, wait
 * until it is ready (TCP connected, or the TLS handshake done and the certificate verified), close
 * it and open the next, for `durationMs`. Gives connections per second and the client's time per
 * connection; the caller reads the server's CPU around it.
 */
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface ConnectLoopOptions {
  host: string;
  port: number;
  /** PEM CA: TLS connections verified against it; undefined: plain TCP connections. */
  ca?: string;
  concurrency: number;
  durationMs: number;
}

export interface ConnectLoopResult {
  connections: number;
  failures: number;
  per_s: number;
  /** Mean time from connect() to ready, ms (the handshake for TLS). */
  mean_ms: number;
  first_failure?: string;
}

function openOnce(options: ConnectLoopOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let socket: Socket;
    const ready = (): void => {
      const ms = performance.now() - started;
      socket.destroy();
      resolve(ms);
    };
    if (options.ca === undefined) socket = tcpConnect({ host: options.host, port: options.port }, ready);
    else socket = tlsConnect({ host: options.host, port: options.port, ca: options.ca }, ready);
    socket.once('error', (error) => {
      socket.destroy();
      reject(error);
    });
  });
}

export async function runConnectLoop(options: ConnectLoopOptions): Promise<ConnectLoopResult> {
  const end = performance.now() + options.durationMs;
  const started = performance.now();
  let connections = 0;
  let failures = 0;
  let totalMs = 0;
  let firstFailure: string | undefined;
  const loop = async (): Promise<void> => {
    while (performance.now() < end) {
      try {
        totalMs += await openOnce(options);
        connections++;
      } catch (error) {
        failures++;
        firstFailure ??= (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        if (failures > 100 && connections === 0) return;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, loop));
  const seconds = (performance.now() - started) / 1000;
  return {
    connections,
    failures,
    per_s: Math.round((connections / seconds) * 10) / 10,
    mean_ms: connections === 0 ? 0 : Math.round((totalMs / connections) * 100) / 100,
    ...(firstFailure === undefined ? {} : { first_failure: firstFailure }),
  };
}
