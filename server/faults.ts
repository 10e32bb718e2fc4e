/**
 * Fault injection for the harness's `store_unavailable` timeline event: while a fault is active,
 * every store call (except close) fails with STORE_UNAVAILABLE, exactly as a database outage
 * would look to the rest of the server. Toggled with `POST /api/v1/osqsim/faults
 * {"store_unavailable_ms": N}` (Bearer auth, the REST API token); N = 0 ends it early.
 */
import { osqsimError } from '../lib/errors.js';
import type { Store } from './store/store.js';

export class StoreFaults {
  private unavailableUntil = 0;

  /** Makes the store unavailable for `ms` from now (0 clears). */
  setStoreUnavailable(ms: number): void {
    this.unavailableUntil = ms > 0 ? Date.now() + ms : 0;
  }

  get storeUnavailable(): boolean {
    return this.unavailableUntil !== 0 && Date.now() < this.unavailableUntil;
  }
}

/** The store as the server sees it: the real one, failing while a fault is active. */
export function withFaults(store: Store, faults: StoreFaults): Store {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || property === 'close' || property === 'constructor') return value;
      let wrapper = wrapped.get(property);
      if (wrapper === undefined) {
        const method = value as (...args: unknown[]) => unknown;
        wrapper = (...args: unknown[]): unknown => {
          if (faults.storeUnavailable) {
            return Promise.reject(osqsimError('STORE_UNAVAILABLE', { reason: 'fault injected (store_unavailable)' }));
          }
          return method.apply(target, args);
        };
        wrapped.set(property, wrapper);
      }
      return wrapper;
    },
  });
}
