import { describe } from 'vitest';
import { MemoryStore } from '../../server/store/index.js';
import { defineEndToEnd } from './e2e-suite.js';

describe('simulator end-to-end against osqsim server (memory store)', () => {
  defineEndToEnd(async () => {
    const store = new MemoryStore();
    return { store, dispose: async () => store.close() };
  });
});
