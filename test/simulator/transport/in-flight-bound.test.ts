import { createServer, type Server } from 'node:http';
import { afterEach, expect, test } from 'vitest';
import { CallbackExchange } from '../../../simulator/transport/exchange.js';
import { Transport, type TransportKind } from '../../../simulator/transport/transport.js';
import { OUTCOME_INDEX } from '../../../simulator/recorder.js';

let plain: Server | undefined;
afterEach(async () => {
  await new Promise((r) => (plain ? plain.close(r) : r(undefined)));
  plain = undefined;
});

/** An echo server that answers each request after `delayMs`. */
async function slowEcho(delayMs: number): Promise<string> {
  plain = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c));
    req.on('end', () => setTimeout(() => {
      res.writeHead(200, { 'content-length': String(Buffer.byteLength(data)) });
      res.end(data);
    }, delayMs));
  });
  await new Promise<void>((r) => plain!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(plain.address() as { port: number }).port}`;
}

for (const kind of ['raw', 'undici'] as TransportKind[]) {
  test(`${kind} transport: at most \`connections\` requests handed on; queued bodies are built only when sent, in FIFO order`, async () => {
    const url = await slowEcho(20);
    const transport = new Transport({ targets: [url], connections: 2, timeoutMs: 5000, kind });
    const built: number[] = [];
    const answered: number[] = [];
    const results = await new Promise<Array<{ outcome: number; body: string }>>((resolve) => {
      const out: Array<{ outcome: number; body: string }> = [];
      for (let i = 0; i < 7; i++) {
        transport.post(0, '/echo', () => {
          built.push(i);
          // Never more built than answered + connections (+ the one whose slot is being freed, built just
          // before that response's callback runs): the rest wait as records, not bodies.
          expect(built.length).toBeLessThanOrEqual(answered.length + 3);
          return `{"i":${i}}`;
        }, new CallbackExchange((outcome, _status, text) => {
          answered.push(i);
          out[i] = { outcome, body: text };
          if (answered.length === 7) resolve(out);
        }));
      }
      expect(built).toEqual([0, 1]);
      expect(transport.inFlight).toBe(7);
      expect(transport.queued).toBe(5);
    });
    expect(built).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(results.map((r) => r.outcome)).toEqual(Array(7).fill(OUTCOME_INDEX['2xx']));
    expect(results.map((r) => JSON.parse(r.body).i)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(transport.inFlight).toBe(0);
    expect(transport.queued).toBe(0);
    expect(transport.maxInFlight).toBe(7);
    await transport.close();
  });
}

test('a failed request frees its slot for the next queued one', async () => {
  const transport = new Transport({ targets: ['http://127.0.0.1:1'], connections: 1, timeoutMs: 2000, kind: 'raw' });
  const outcomes = await new Promise<number[]>((resolve) => {
    const out: number[] = [];
    for (let i = 0; i < 3; i++) {
      transport.post(0, '/x', '{}', new CallbackExchange((outcome) => {
        out.push(outcome);
        if (out.length === 3) resolve(out);
      }));
    }
  });
  expect(outcomes).toEqual([OUTCOME_INDEX.connect, OUTCOME_INDEX.connect, OUTCOME_INDEX.connect]);
  expect(transport.inFlight).toBe(0);
  await transport.close();
});
