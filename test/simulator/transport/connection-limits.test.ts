/**
 * The transport's own health: time spent queueing inside the simulator (post → hand-off to the HTTP client), requests
 * that met the elastic connection limit, failures on OS limits by errno, spreading over loopback
 * source addresses, and the defaults (elastic; raw for http://, undici for https://).
 */
import { createServer, type Server } from 'node:http';
import { afterEach, expect, test } from 'vitest';
import { parseOpenFileLimit, parsePortRange } from '../../../lib/os-limits.js';
import { CallbackExchange } from '../../../simulator/transport/exchange.js';
import { RawClient } from '../../../simulator/transport/raw.js';
import { clientKind, elasticConnectionLimit, parseConnectionMode, Transport } from '../../../simulator/transport/transport.js';

let server: Server | undefined;
const sources: string[] = [];
afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
  sources.length = 0;
});

/** Answers `{}` after `delayMs`, noting each request's source address. */
async function slowServer(delayMs: number): Promise<string> {
  server = createServer((req, res) => {
    sources.push(req.socket.remoteAddress ?? '');
    req.resume();
    req.on('end', () => setTimeout(() => res.writeHead(200, { 'content-length': '2' }).end('{}'), delayMs));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

function postAll(transport: Transport, n: number): Promise<number[]> {
  return new Promise((resolve) => {
    const outcomes: number[] = [];
    for (let i = 0; i < n; i++) transport.post(0, '/x', '{}', new CallbackExchange((outcome) => outcomes.push(outcome) === n && resolve(outcomes)));
  });
}

test('elastic mode hands every request on at once; beyond the limit they wait, and are counted with their queueing time', async () => {
  const url = await slowServer(150);
  const open = new Transport({ targets: [url], timeoutMs: 5000 });
  expect(open.elastic).toBe(true);
  await postAll(open, 6);
  const free = open.takeHealth();
  expect(free).toMatchObject({ written: 6, limited: 0, peakConnections: 6, limitErrors: {} });
  expect(free.queueP99Ms).toBeLessThan(100);
  await open.close();

  const capped = new Transport({ targets: [url], timeoutMs: 5000, connections: 'elastic', connectionLimit: 2 });
  await postAll(capped, 6);
  const health = capped.takeHealth();
  expect(health).toMatchObject({ written: 6, limited: 4, peakConnections: 2 });
  // The last two waited for two rounds of 150 ms.
  expect(health.queueMaxMs).toBeGreaterThanOrEqual(250);
  expect(capped.takeHealth()).toMatchObject({ written: 0, limited: 0, queueP99Ms: 0 });
  await capped.close();
});

test('a failure on an OS limit (EMFILE) is counted by errno; ordinary failures are not', async () => {
  const url = await slowServer(300);
  const transport = new Transport({ targets: [url], timeoutMs: 5000 });
  const exchanges = [0, 1, 2].map(() => new CallbackExchange(() => undefined));
  for (const exchange of exchanges) transport.post(0, '/x', '{}', exchange);
  exchanges[0]!.onResponseError(undefined, Object.assign(new Error('too many open files'), { code: 'EMFILE' }));
  exchanges[1]!.onResponseError(undefined, Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
  expect(transport.takeHealth().limitErrors).toEqual({ EMFILE: 1 });
  await transport.close();
});

test('the raw client moves to the next loopback source address when ports run out, and says so when none is left', async () => {
  const url = await slowServer(0);
  const client = new RawClient(url, { connections: 4, timeoutMs: 2000, insecure: false });
  expect(client.localAddress).toBeUndefined();
  expect(client.nextSourceAddress(undefined)).toBe(true);
  expect(client.localAddress).toBe('127.0.0.2');
  // A second socket failing on the old address does not skip one.
  expect(client.nextSourceAddress(undefined)).toBe(true);
  expect(client.localAddress).toBe('127.0.0.2');
  const outcome = await new Promise<number>((resolve) => client.dispatch('/x', '{}', new CallbackExchange((o) => resolve(o))));
  expect(outcome).toBe(0);
  expect(sources).toEqual(['127.0.0.2']);
  await client.close();
  for (let i = 0; i < 300 && client.nextSourceAddress(client.localAddress); i++);
  expect(client.localAddress).toBe('127.0.0.254');
  expect(client.portAdvice()).toMatch(/127\.0\.0\.1–127\.0\.0\.254 is out of ephemeral ports.*--connections <n>/);
  const remote = new RawClient('http://10.1.2.3:8080', { connections: 1, timeoutMs: 1000, insecure: false });
  expect(remote.nextSourceAddress(undefined)).toBe(false);
  expect(remote.portAdvice()).toMatch(/ephemeral port range \(net\.ipv4\.ip_local_port_range\) to 10\.1\.2\.3:8080 is used up/);
});

test('the raw client closes a connection idle past the keep-alive time, and opens a new one for the next request', async () => {
  const url = await slowServer(0);
  let closed = 0;
  server!.on('connection', (socket) => socket.on('close', () => closed++));
  const client = new RawClient(url, { connections: 4, timeoutMs: 2000, insecure: false, keepAliveMs: 100 });
  const post = (): Promise<number> => new Promise((resolve) => client.dispatch('/x', '{}', new CallbackExchange((o) => resolve(o))));
  expect(await post()).toBe(0);
  expect(await post()).toBe(0);
  expect(closed).toBe(0);
  await new Promise((r) => setTimeout(r, 400));
  expect(closed).toBe(1);
  expect(await post()).toBe(0);
  expect(sources).toHaveLength(3);
  await client.close();
});

test('defaults and parsing: elastic, raw for http://, undici for https://, the open-file share per worker', () => {
  expect(parseConnectionMode('elastic')).toBe('elastic');
  expect(parseConnectionMode('32')).toBe(32);
  expect(parseConnectionMode(8)).toBe(8);
  for (const bad of ['0', '-1', '2.5', 'many', '']) expect(parseConnectionMode(bad)).toBeUndefined();
  expect(clientKind('http://127.0.0.1:8080', undefined)).toBe('raw');
  expect(clientKind('https://fleet.example.com', undefined)).toBe('undici');
  expect(clientKind('http://127.0.0.1:8080', 'undici')).toBe('undici');
  expect(elasticConnectionLimit(2, 1, 20000)).toBe(9872);
  expect(elasticConnectionLimit(4, 2, 1024)).toBe(96);
  expect(elasticConnectionLimit(4, 4, 256)).toBe(16);
});

test('OS limit readers parse /proc text', () => {
  expect(parseOpenFileLimit('Limit                     Soft Limit           Hard Limit           Units\nMax open files            20000                20000                files\n')).toBe(20000);
  expect(parseOpenFileLimit('Max open files            unlimited            unlimited            files\n')).toBeUndefined();
  expect(parseOpenFileLimit('')).toBeUndefined();
  expect(parsePortRange('32768\t60999\n')).toEqual({ low: 32768, high: 60999, size: 28232 });
  expect(parsePortRange('x')).toBeUndefined();
});
