/**
 * Helpers for the server suites: a store factory per kind (a fresh store for every test), a server
 * built on it with a controllable clock, and small osquery client calls through inject.
 */
import type { LightMyRequestResponse } from 'fastify';
import { buildServer, type BuildServerOptions, type OsqsimServer } from '../../server/app.js';
import { createStore, MemoryStore } from '../../server/store/index.js';
import type { Host, Store } from '../../server/store/store.js';
import { createTestDatabase } from '../helpers/mysql.js';

export interface StoreFactory {
  readonly kind: 'memory' | 'mysql';
  create(): Promise<{ store: Store; dispose(): Promise<void> }>;
}

export const memoryStores: StoreFactory = {
  kind: 'memory',
  async create() {
    const store = new MemoryStore();
    await store.migrate();
    return { store, dispose: async () => store.close() };
  },
};

export const mysqlStores: StoreFactory = {
  kind: 'mysql',
  async create() {
    const database = await createTestDatabase();
    const store = await createStore(database.url);
    return {
      store,
      async dispose() {
        await store.close();
        await database.drop();
      },
    };
  },
};

export const GLOBAL_SECRET = 'global-secret';
export const START = new Date('2024-06-01T12:00:00.000Z');

export interface TestServer {
  readonly server: OsqsimServer;
  readonly store: Store;
  /** Moves the server's clock. */
  advance(ms: number): void;
  now(): Date;
  post(url: string, body: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  enroll(hostIdentifier: string, options?: { secret?: string; platform?: string; hostname?: string }): Promise<string>;
  read(nodeKey: string): Promise<LightMyRequestResponse>;
  write(nodeKey: string, queries: Record<string, unknown>, statuses?: Record<string, unknown>): Promise<LightMyRequestResponse>;
  host(nodeKey: string): Promise<Host>;
  close(): Promise<void>;
}

export async function startTestServer(factory: StoreFactory, options: BuildServerOptions = {}): Promise<TestServer> {
  const created = await factory.create();
  const dispose = created.dispose;
  const store = typeof options.store === 'object' ? options.store : created.store;
  let clock = START.getTime();
  const server = await buildServer({
    logLevel: 'silent',
    enrollSecrets: [{ secret: GLOBAL_SECRET }],
    ...options,
    store,
    closeStore: false,
    now: () => new Date(clock),
  });
  const post = (url: string, body: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> =>
    server.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', ...headers },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const test: TestServer = {
    server,
    store,
    advance(ms) {
      clock += ms;
    },
    now: () => new Date(clock),
    post,
    async enroll(hostIdentifier, { secret = GLOBAL_SECRET, platform = 'ubuntu', hostname = hostIdentifier } = {}) {
      const response = await post('/api/osquery/enroll', {
        enroll_secret: secret,
        host_identifier: hostIdentifier,
        host_details: {
          os_version: { platform, name: 'Ubuntu', version: '22.04.3 LTS' },
          osquery_info: { version: '5.12.1', uuid: `uuid-${hostIdentifier}` },
          system_info: { hostname, uuid: `uuid-${hostIdentifier}`, hardware_serial: `serial-${hostIdentifier}` },
        },
      });
      if (response.statusCode !== 200) throw new Error(`enroll failed: ${response.statusCode} ${response.body}`);
      return (response.json() as { node_key: string }).node_key;
    },
    read: (nodeKey) => post('/api/osquery/distributed/read', { node_key: nodeKey }),
    write: (nodeKey, queries, statuses = {}) =>
      post('/api/osquery/distributed/write', { node_key: nodeKey, queries, statuses, messages: {} }),
    async host(nodeKey) {
      const host = await store.getHostByNodeKey(nodeKey);
      if (!host) throw new Error(`no host with key ${nodeKey}`);
      return host;
    },
    async close() {
      await server.close();
      await dispose();
    },
  };
  return test;
}

/** Everything a rejected request must leave as it was. */
export async function storeSnapshot(store: Store): Promise<unknown> {
  const hosts = await store.listHosts({ perPage: 10_000 });
  const membership = await Promise.all(hosts.map((host) => store.hostMembership(host.id)));
  return {
    hosts: hosts.map(({ seenTime: _seen, ...rest }) => rest),
    membership,
    rows: await store.countMembership(),
    policies: await store.listAllPolicies(),
  };
}

/** The detail queries an Ubuntu host is sent (Fleet's set for Linux, server/osquery/detail-queries.ts). */
export const DETAIL_NAMES = [
  'fleet_detail_query_disk_space_unix',
  'fleet_detail_query_network_interface_unix',
  'fleet_detail_query_orbit_info',
  'fleet_detail_query_os_version',
  'fleet_detail_query_osquery_flags',
  'fleet_detail_query_osquery_info',
  'fleet_detail_query_software_linux',
  'fleet_detail_query_system_info',
  'fleet_detail_query_uptime',
  'fleet_detail_query_users',
];

/** The built-in label ids of a new store (seeded in this order: All Hosts, macOS, …, chrome). */
export const BUILTIN_LABEL_IDS: readonly number[] = [1, 2, 3, 4, 5, 6, 7, 8];
export const BUILTIN_LABEL_NAMES: readonly string[] = BUILTIN_LABEL_IDS.map((id) => `fleet_label_query_${id}`);

/**
 * A distributed/write answering the detail queries and the built-in label queries like an Ubuntu
 * host would (a member of All Hosts and Ubuntu Linux).
 */
export function detailAnswers(hostname: string, platform = 'ubuntu'): Record<string, unknown> {
  return {
    ...Object.fromEntries(BUILTIN_LABEL_NAMES.map((name, index) => [name, index === 0 || index === 2 ? [{ 1: '1' }] : []])),
    fleet_detail_query_os_version: [{ name: 'Ubuntu', version: '22.04.3 LTS', platform }],
    fleet_detail_query_osquery_info: [{ version: '5.13.0' }],
    fleet_detail_query_system_info: [{ hostname, uuid: `uuid-${hostname}`, hardware_serial: `serial-${hostname}` }],
    fleet_detail_query_uptime: [{ total_seconds: '3600' }],
  };
}
