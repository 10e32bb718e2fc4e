/** Every built-in scenario passes its own thresholds on the memory store, in miniature (builtin-pass-suite.ts). */
import { describe } from 'vitest';
import { builtinScenarioTests } from './builtin-pass-suite.js';

describe('built-in scenarios on the memory store', () => {
  builtinScenarioTests(async () => ({ url: 'memory', dispose: async () => undefined }));
});
