import { describe } from 'vitest';
import { MemoryStore } from '../../../server/store/memory/index.js';
import { leaseProperties } from './lease.js';

describe('stats lease on one memory store', () => {
  leaseProperties(async () => {
    const store = new MemoryStore();
    await store.migrate();
    return { a: store, b: store, close: () => store.close() };
  });
});
