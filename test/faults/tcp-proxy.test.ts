/**
 * The TCP fault proxy the outage tests put between the server and MariaDB (scenarios/faults/tcp-proxy.ts),
 * against a loopback echo server: each outage mode does what its name says.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TcpFaultProxy } from '../../scenarios/faults/tcp-proxy.js';

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function echoThroughProxy(): Promise<TcpFaultProxy> {
  const echo = net.createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => echo.close(() => resolve())));
  const proxy = new TcpFaultProxy({ targetHost: '127.0.0.1', targetPort: (echo.address() as net.AddressInfo).port });
  await proxy.start();
  cleanups.push(() => proxy.stop());
  return proxy;
}

interface Client {
  readonly socket: net.Socket;
  received: string;
  error: string | undefined;
  closed: boolean;
}

async function connect(port: number): Promise<Client> {
  const socket = net.connect({ host: '127.0.0.1', port });
  const client: Client = { socket, received: '', error: undefined, closed: false };
  socket.on('data', (chunk) => (client.received += chunk.toString()));
  socket.on('error', (error: NodeJS.ErrnoException) => (client.error = error.code ?? error.message));
  socket.on('close', () => (client.closed = true));
  // A connection reset as soon as it is accepted may end before 'connect' is seen.
  await new Promise<void>((resolve) => {
    socket.once('connect', () => resolve());
    socket.once('close', () => resolve());
  });
  cleanups.push(() => void socket.destroy());
  return client;
}

const until = async (check: () => boolean, ms = 2000): Promise<boolean> => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return check();
};

describe('TCP fault proxy', () => {
  it('pipes both ways while healthy', async () => {
    const proxy = await echoThroughProxy();
    const client = await connect(proxy.port);
    client.socket.write('hello');
    expect(await until(() => client.received === 'hello')).toBe(true);
  });

  it('reset: open connections are reset at once, new ones when accepted; healthy again after heal', async () => {
    const proxy = await echoThroughProxy();
    const open = await connect(proxy.port);
    proxy.fault('reset');
    expect(await until(() => open.error === 'ECONNRESET')).toBe(true);
    const during = await connect(proxy.port);
    expect(await until(() => during.closed)).toBe(true);
    proxy.heal();
    const after = await connect(proxy.port);
    after.socket.write('back');
    expect(await until(() => after.received === 'back')).toBe(true);
    expect(proxy.counters.reset).toBeGreaterThanOrEqual(2);
  });

  it('drop: bytes vanish, nothing is answered, held connections are reset when it ends', async () => {
    const proxy = await echoThroughProxy();
    const client = await connect(proxy.port);
    proxy.fault('drop');
    client.socket.write('lost');
    const fresh = await connect(proxy.port);
    fresh.socket.write('unanswered');
    expect(await until(() => client.received !== '' || fresh.received !== '', 300)).toBe(false);
    proxy.heal();
    expect(await until(() => client.error === 'ECONNRESET' && fresh.error === 'ECONNRESET')).toBe(true);
    expect(client.received).toBe('');
  });

  it('delay: bytes are held and delivered in order when it ends', async () => {
    const proxy = await echoThroughProxy();
    const client = await connect(proxy.port);
    proxy.fault('delay');
    client.socket.write('late-');
    const fresh = await connect(proxy.port);
    fresh.socket.write('new');
    client.socket.write('but-whole');
    expect(await until(() => client.received !== '' || fresh.received !== '', 300)).toBe(false);
    proxy.heal();
    expect(await until(() => client.received === 'late-but-whole' && fresh.received === 'new')).toBe(true);
    expect(client.error).toBeUndefined();
  });
});
