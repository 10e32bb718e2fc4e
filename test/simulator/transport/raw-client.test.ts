import { createServer, type Server } from 'node:http';
import { afterEach, expect, test } from 'vitest';
import { CallbackExchange } from '../../../simulator/transport/exchange.js';
import { Transport } from '../../../simulator/transport/transport.js';
import { OUTCOME_INDEX } from '../../../simulator/recorder.js';
import { startFakeServer, type FakeServer } from '../fixtures/fake-server.js';
import { runInProcess, scenario, waitFor } from '../helpers.js';

let server: FakeServer | undefined;
let plain: Server | undefined;
afterEach(async () => {
  await server?.close();
  await new Promise((r) => (plain ? plain.close(r) : r(undefined)));
  server = undefined;
  plain = undefined;
});

function post(transport: Transport, path: string, body: string): Promise<{ outcome: number; status: number; body: string }> {
  return new Promise((resolve) => transport.post(0, path, body, new CallbackExchange((outcome, status, text) => resolve({ outcome, status, body: text }))));
}

test('raw transport: content-length and chunked bodies, status classes, queueing beyond the connections', async () => {
  plain = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c));
    req.on('end', () => {
      if (req.url === '/chunked') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"a":');
        setTimeout(() => res.end(`${JSON.stringify(data)}}`), 5);
      } else if (req.url === '/fail') {
        res.writeHead(503, { 'content-length': '2' });
        res.end('{}');
      } else {
        res.writeHead(200, { 'content-length': String(Buffer.byteLength(data)) });
        res.end(data);
      }
    });
  });
  await new Promise<void>((r) => plain!.listen(0, '127.0.0.1', r));
  const port = (plain.address() as { port: number }).port;
  const transport = new Transport({ targets: [`http://127.0.0.1:${port}`], connections: 2, timeoutMs: 5000, kind: 'raw' });
  expect(await post(transport, '/echo', '{"x":"é"}')).toEqual({ outcome: OUTCOME_INDEX['2xx'], status: 200, body: '{"x":"é"}' });
  expect(await post(transport, '/chunked', 'hi')).toEqual({ outcome: OUTCOME_INDEX['2xx'], status: 200, body: '{"a":"hi"}' });
  expect((await post(transport, '/fail', '{}')).outcome).toBe(OUTCOME_INDEX['5xx']);
  const many = await Promise.all(Array.from({ length: 50 }, (_, i) => post(transport, '/echo', `{"i":${i}}`)));
  expect(many.map((r) => JSON.parse(r.body).i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  await transport.close();
});

test('agents behave the same over the raw transport (re-enroll after node_invalid)', async () => {
  server = await startFakeServer({ invalidateAfterReads: 2 });
  const s = scenario({ hosts: 3, fleet: { groups: [{ name: 'mac', count: 3, platform: 'darwin', os_version: '14.4' }] } }, { distributed_interval: '100ms' });
  const sim = runInProcess(s, server.url, { transport: 'raw' });
  const srv = server;
  await waitFor(() => srv.requests.filter((r) => r.endpoint === 'enroll').length >= 6);
  sim.stop();
  const result = await sim.done;
  expect(result.enrolled).toBe(3);
  expect(result.totals.endpoints.read.outcomes['5xx'] + result.totals.endpoints.read.outcomes.connect).toBe(0);
});
