/**
 * Opens a store from a `--store` spec: `memory` (the embedded default) or a mysql:// URL.
 * The schema is migrated before the store is handed out.
 */
import { osqsimError } from '../../lib/errors.js';
import { MemoryStore } from './memory/index.js';
import type { Store } from './store.js';

export interface CreateStoreOptions {
  /** MySQL pool size (default 10). */
  readonly poolSize?: number;
  /** MySQL connections kept apart for ingest commits (the server passes options.ingestPoolSize). */
  readonly ingestPoolSize?: number;
}

/** Throws CLI_INVALID_STORE for a spec that is neither `memory` nor a usable mysql:// URL. */
export function parseStoreSpec(spec: string): { kind: 'memory' } | { kind: 'mysql'; url: URL } {
  if (spec === 'memory') return { kind: 'memory' };
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw osqsimError('CLI_INVALID_STORE', { value: spec });
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (url.protocol !== 'mysql:' || url.hostname === '' || database === '' || database.includes('/')) {
    throw osqsimError('CLI_INVALID_STORE', { value: spec });
  }
  return { kind: 'mysql', url };
}

export async function createStore(spec: string, options: CreateStoreOptions = {}): Promise<Store> {
  const parsed = parseStoreSpec(spec);
  let store: Store;
  if (parsed.kind === 'memory') {
    store = new MemoryStore();
  } else {
    const { MysqlStore } = await import('./mysql/index.js');
    store = new MysqlStore(parsed.url.toString(), options);
  }
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  return store;
}

export { MemoryStore };
export type { Store };
