import { createStore } from '../../../server/store/index.js';
import { vitalsContract } from './vitals-contract.js';

vitalsContract('memory', () => createStore('memory'));
