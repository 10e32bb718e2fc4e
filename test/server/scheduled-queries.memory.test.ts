import { defineScheduledQueriesSuite } from './scheduled-queries-suite.js';
import { memoryStores } from './support.js';

defineScheduledQueriesSuite(memoryStores);
