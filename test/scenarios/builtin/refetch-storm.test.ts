/** Built-in scenario `refetch-storm` passes its own thresholds on the memory store and on MySQL, in miniature (../builtin-pass-suite.ts). */
import { builtinScenarioOnBothStores } from '../builtin-pass-suite.js';

builtinScenarioOnBothStores('refetch-storm');
