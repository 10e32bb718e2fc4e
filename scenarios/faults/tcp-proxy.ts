/**
 * A TCP proxy on loopback that puts a database outage between a server and MariaDB on demand
 * (issue 16 item 1). Healthy, it pipes bytes both ways. `fault(mode)` starts an outage, `heal()`
 * ends it:
 *
 * - `reset`: every open connection is reset (RST) at once, and every connection opened during the
 *   outage is reset as soon as it is accepted — a database that restarts or refuses connections.
 * - `drop`: bytes vanish in both directions and new connections are accepted but never answered (a
 *   network partition); at `heal()` the connections held through the outage are reset, as the
 *   database host answers the client's retransmissions of a connection it no longer knows.
 * - `delay`: bytes are held in both directions for the outage and delivered in order at `heal()` (a
 *   stalled database or link: nothing is lost, everything is late).
 *
 * Test and bench tooling only: it never listens beyond 127.0.0.1.
 */
import net from 'node:net';

export type OutageMode = 'reset' | 'drop' | 'delay';

export interface TcpFaultProxyOptions {
  readonly targetHost: string;
  readonly targetPort: number;
}

interface Pair {
  readonly client: net.Socket;
  upstream: net.Socket | undefined;
  /** Bytes held during a `delay` outage, per direction. */
  readonly toUpstream: Buffer[];
  readonly toClient: Buffer[];
}

export interface ProxyCounters {
  accepted: number;
  reset: number;
}

export class TcpFaultProxy {
  private server: net.Server | undefined;
  private readonly pairs = new Set<Pair>();
  private outage: OutageMode | undefined;
  readonly counters: ProxyCounters = { accepted: 0, reset: 0 };
  port = 0;

  constructor(private readonly options: TcpFaultProxyOptions) {}

  /** The mode of the outage under way, or undefined when healthy. */
  get mode(): OutageMode | undefined {
    return this.outage;
  }

  async start(): Promise<number> {
    const server = net.createServer((client) => this.accept(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    return this.port;
  }

  /** `mysql://…` URL `url` pointed at the proxy instead of the database. */
  rewrite(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  fault(mode: OutageMode): void {
    this.outage = mode;
    if (mode === 'reset') for (const pair of [...this.pairs]) this.reset(pair);
  }

  heal(): void {
    const mode = this.outage;
    this.outage = undefined;
    for (const pair of [...this.pairs]) {
      if (mode === 'drop') this.reset(pair);
      else if (mode === 'delay') this.flush(pair);
    }
  }

  async stop(): Promise<void> {
    for (const pair of [...this.pairs]) this.close(pair);
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    this.counters.accepted += 1;
    const pair: Pair = { client, upstream: undefined, toUpstream: [], toClient: [] };
    this.pairs.add(pair);
    client.on('error', () => this.close(pair));
    client.on('close', () => this.close(pair));
    if (this.outage === 'reset') {
      this.reset(pair);
      return;
    }
    client.on('data', (chunk: Buffer) => {
      if (this.outage === 'drop') return;
      if (this.outage === 'delay' || pair.upstream === undefined || pair.upstream.connecting) pair.toUpstream.push(chunk);
      else pair.upstream.write(chunk);
    });
    // A connection opened during a partition reaches nothing until the outage ends (then it is reset).
    if (this.outage !== 'drop') this.connectUpstream(pair);
  }

  private connectUpstream(pair: Pair): void {
    const upstream = net.connect({ host: this.options.targetHost, port: this.options.targetPort });
    pair.upstream = upstream;
    upstream.on('connect', () => {
      if (this.outage !== 'delay') this.flush(pair);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (this.outage === 'drop') return;
      if (this.outage === 'delay') pair.toClient.push(chunk);
      else pair.client.write(chunk);
    });
    upstream.on('error', () => this.close(pair));
    upstream.on('close', () => this.close(pair));
  }

  private flush(pair: Pair): void {
    const upstream = pair.upstream;
    if (upstream === undefined || upstream.connecting) return;
    for (const chunk of pair.toUpstream.splice(0)) upstream.write(chunk);
    for (const chunk of pair.toClient.splice(0)) pair.client.write(chunk);
  }

  private reset(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    this.counters.reset += 1;
    pair.client.resetAndDestroy();
    pair.upstream?.destroy();
  }

  private close(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    pair.client.destroy();
    pair.upstream?.destroy();
  }
}
