/**
 * What every part of a running server shares. Built once by buildServer (server/app.ts) and handed
 * to each route plugin and background job; no module-level globals.
 */
import type { Logger } from 'pino';
import type { ServerEvents } from './events.js';
import type { MetricsRegistry } from './metrics.js';
import type { ServerOptions } from './options/options.js';
import type { Store } from './store/store.js';
import type { PolicyCount } from './store/types.js';

/** How the REST API reads policy counts; the active count strategy provides it (server/stats/). */
export interface CountReader {
  readCounts(policyIds?: readonly number[]): Promise<PolicyCount[]>;
}

/** A background job the server starts after listening and stops (flushing) on shutdown. */
export interface BackgroundJob {
  readonly name: string;
  start(): void;
  /** Stops and flushes pending work; resolves when done. */
  stop(): Promise<void>;
}

export interface ServerContext {
  readonly options: ServerOptions;
  readonly store: Store;
  readonly log: Logger;
  readonly metrics: MetricsRegistry;
  readonly events: ServerEvents;
  /** Random per process; owner name for leases. */
  readonly instanceId: string;
  /** Set by the stats plugin; defaults to reading the store's policy_stats. */
  counts: CountReader;
  /** Jobs registered by plugins; the server starts and stops them. */
  readonly jobs: BackgroundJob[];
  now(): Date;
}

/**
 * A server part: registers routes and/or jobs. Plugins are listed in server/plugins.ts and run in
 * order when the server is built.
 */
export type ServerPlugin = (app: import('fastify').FastifyInstance, context: ServerContext) => Promise<void> | void;
