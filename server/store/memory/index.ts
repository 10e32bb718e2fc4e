export { MemoryStore, LONG_AGO } from './memory-store.js';
