/** Built-in scenario `fleetd-defaults` passes its own thresholds on the memory store and on MySQL, in miniature (../builtin-pass-suite.ts). */
import { builtinScenarioOnBothStores } from '../builtin-pass-suite.js';

builtinScenarioOnBothStores('fleetd-defaults');
