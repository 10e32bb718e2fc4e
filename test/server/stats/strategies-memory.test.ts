import { describe } from 'vitest';
import { MemoryStore } from '../../../server/store/memory/index.js';
import { strategyProperties } from './properties.js';

describe('count strategies on the memory store', () => {
  strategyProperties({
    seeds: Array.from({ length: 25 }, (_, i) => i + 1),
    checkpoints: 4,
    stepsPerCheckpoint: 40,
    openStore: async () => {
      const store = new MemoryStore();
      await store.migrate();
      return store;
    },
  });
});
