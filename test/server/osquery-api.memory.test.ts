import { defineOsqueryApiSuite } from './osquery-suite.js';
import { memoryStores } from './support.js';

defineOsqueryApiSuite(memoryStores);
