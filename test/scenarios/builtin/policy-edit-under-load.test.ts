/** Built-in scenario `policy-edit-under-load` passes its own thresholds on the memory store and on MySQL, in miniature (../builtin-pass-suite.ts). */
import { builtinScenarioOnBothStores } from '../builtin-pass-suite.js';

builtinScenarioOnBothStores('policy-edit-under-load');
