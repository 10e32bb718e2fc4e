/**
 * Connections like real agents: against a target that stalls for 5 s, every host whose read falls
 * due in that window has its own request at the target at the same time (each osquery agent holds
 * its own keep-alive session: osquery/remote/transports/tls.cpp, getClient), instead of waiting
 * behind other hosts' requests inside the simulator. A fixed pool, kept as an option, shows the
 * difference: the target sees at most the pool's size.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import type { ConnectionMode, TransportKind } from '../../../simulator/transport/transport.js';
import { runInProcess, scenario, waitFor } from '../helpers.js';

const HOSTS = 200;
const STALL_MS = 5000;

interface Held {
  key: string;
  socket: Socket;
  res: ServerResponse;
}

/** A bare osquery target whose reads can be stalled: held requests are answered when the stall ends. */
class StallingTarget {
  readonly readBeforeStall = new Set<string>();
  readonly held: Held[] = [];
  stalled = false;
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk));
    req.on('end', () => {
      const body = JSON.parse(text || '{}') as Record<string, unknown>;
      const answer = (json: unknown): void => {
        const out = JSON.stringify(json);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(out)) });
        res.end(out);
      };
      if (req.url === '/api/osquery/enroll') return answer({ node_key: `k-${String(body.host_identifier)}` });
      if (req.url === '/api/osquery/config') return answer({ options: {}, packs: {} });
      if (req.url === '/api/osquery/distributed/read') {
        const key = String(body.node_key);
        if (this.stalled) {
          this.held.push({ key, socket: req.socket, res });
          return;
        }
        this.readBeforeStall.add(key);
        return answer({ queries: {} });
      }
      return answer({});
    });
  }

  release(): void {
    this.stalled = false;
    for (const h of this.held.splice(0)) {
      h.res.writeHead(200, { 'content-type': 'application/json', 'content-length': '14' });
      h.res.end('{"queries":{}}');
    }
  }

  async close(): Promise<void> {
    this.release();
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

let target: StallingTarget | undefined;
afterEach(async () => {
  await target?.close();
  target = undefined;
});

/** Runs HOSTS hosts at a 1 s read interval, stalls reads for 5 s, and returns what the target saw. */
async function stallRun(connections: ConnectionMode, transport: TransportKind): Promise<{ due: number; concurrentHosts: number; sockets: number }> {
  target = new StallingTarget();
  const url = await target.start();
  const s = scenario(
    { hosts: HOSTS, fleet: { groups: [{ name: 'linux', weight: 1, platform: 'ubuntu', os_version: '22.04', tables: {} }] } },
    { start_period: '1s', distributed_interval: '1s' },
  );
  const shard = runInProcess(s, url, { connections, transport });
  try {
    await waitFor(() => target!.readBeforeStall.size === HOSTS, 20_000);
    // Every running host's next read falls due within 1 s (its interval), inside the 5 s stall.
    const due = target.readBeforeStall.size;
    target.stalled = true;
    await new Promise((resolve) => setTimeout(resolve, STALL_MS));
    const concurrentHosts = new Set(target.held.map((h) => h.key)).size;
    const sockets = new Set(target.held.map((h) => h.socket)).size;
    target.release();
    return { due, concurrentHosts, sockets };
  } finally {
    shard.stop();
    await shard.done;
  }
}

for (const kind of ['raw', 'undici'] as TransportKind[]) {
  test(`${kind}, elastic connections: a 5 s stall holds a request from ≥ 90% of the hosts due, each on its own socket`, async () => {
    const { due, concurrentHosts, sockets } = await stallRun('elastic', kind);
    expect(due).toBe(HOSTS);
    expect(concurrentHosts).toBeGreaterThanOrEqual(Math.ceil(0.9 * due));
    expect(sockets).toBe(concurrentHosts);
  }, 40_000);
}

test('a fixed pool (the option) lets the target see only the pool: the rest wait inside the simulator', async () => {
  const { due, concurrentHosts } = await stallRun(4, 'raw');
  expect(due).toBe(HOSTS);
  expect(concurrentHosts).toBeLessThanOrEqual(4);
}, 40_000);
