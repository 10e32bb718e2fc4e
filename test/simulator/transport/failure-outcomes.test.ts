import { createServer, type Server } from 'node:http';
import { afterEach, expect, test } from 'vitest';
import { OUTCOME_INDEX } from '../../../simulator/recorder.js';
import { CallbackExchange } from '../../../simulator/transport/exchange.js';
import { RawClient } from '../../../simulator/transport/raw.js';
import { isOsqsimError } from '../../../lib/errors.js';
import { Transport, type TransportKind } from '../../../simulator/transport/transport.js';

let silent: Server | undefined;
afterEach(async () => {
  silent?.closeAllConnections();
  await new Promise((r) => (silent ? silent.close(r) : r(undefined)));
  silent = undefined;
});

function outcomeOf(transport: Transport): Promise<{ outcome: number; status: number }> {
  return new Promise((resolve) => transport.post(0, '/x', '{}', new CallbackExchange((outcome, status) => resolve({ outcome, status }))));
}

for (const kind of ['raw', 'undici'] as TransportKind[]) {
  test(`${kind} transport: a server that never answers is a timeout outcome after the request timeout`, async () => {
    silent = createServer(() => undefined);
    await new Promise<void>((r) => silent!.listen(0, '127.0.0.1', r));
    const transport = new Transport({ targets: [`http://127.0.0.1:${(silent.address() as { port: number }).port}`], connections: 1, timeoutMs: 300, kind });
    const started = Date.now();
    expect(await outcomeOf(transport)).toEqual({ outcome: OUTCOME_INDEX.timeout, status: 0 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(transport.inFlight).toBe(0);
    await transport.close();
  });

  test(`${kind} transport: a request's own timeout replaces the transport's (fleetd's 60 s beside osquery's)`, async () => {
    // Answers after 2 s: past the transport's 300 ms (undici's timers tick in ≈ 0.5–1 s), within the request's own 10 s.
    silent = createServer((_req, res) => void setTimeout(() => res.end('{}'), 2000));
    await new Promise<void>((r) => silent!.listen(0, '127.0.0.1', r));
    const transport = new Transport({ targets: [`http://127.0.0.1:${(silent.address() as { port: number }).port}`], connections: 2, timeoutMs: 300, kind });
    const post = (timeoutMs: number | undefined): Promise<{ outcome: number; status: number }> =>
      new Promise((resolve) => {
        const exchange = new CallbackExchange((outcome, status) => resolve({ outcome, status }));
        exchange.timeoutMs = timeoutMs;
        transport.post(0, '/x', '{}', exchange);
      });
    const [own, shared] = await Promise.all([post(10_000), post(undefined)]);
    expect(own).toEqual({ outcome: OUTCOME_INDEX['2xx'], status: 200 });
    expect(shared).toEqual({ outcome: OUTCOME_INDEX.timeout, status: 0 });
    await transport.close();
  });

  test(`${kind} transport: a refused connection is a connect outcome`, async () => {
    const transport = new Transport({ targets: ['http://127.0.0.1:1'], connections: 1, timeoutMs: 2000, kind });
    expect(await outcomeOf(transport)).toEqual({ outcome: OUTCOME_INDEX.connect, status: 0 });
    await transport.close();
  });
}

test('the raw client reports failures with the code undici gives the same failure', async () => {
  const client = new RawClient('http://127.0.0.1:1', { connections: 1, timeoutMs: 2000, insecure: false });
  const error = await new Promise<Error>((resolve) => {
    const exchange = new CallbackExchange(() => undefined);
    exchange.onResponseError = (_controller, e) => resolve(e);
    client.dispatch('/x', '{}', exchange);
  });
  expect(isOsqsimError(error, 'SIM_REQUEST_FAILED')).toBe(true);
  expect((error as unknown as { params: Record<string, unknown> }).params['errno']).toBe('ECONNREFUSED');
  await client.close();
});

test('the raw client refuses https targets with a catalogue error', () => {
  expect(() => new RawClient('https://127.0.0.1:8443', { connections: 1, timeoutMs: 1000, insecure: true })).toThrow(expect.objectContaining({ code: 'SIM_NO_TARGET' }));
});
