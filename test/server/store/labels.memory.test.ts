import { createStore } from '../../../server/store/index.js';
import { labelStoreContract } from './labels-contract.js';

labelStoreContract('memory', () => createStore('memory'));
