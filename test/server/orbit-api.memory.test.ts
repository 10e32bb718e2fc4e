import { defineOrbitApiSuite } from './orbit-suite.js';
import { memoryStores } from './support.js';

defineOrbitApiSuite(memoryStores);
