// Placeholder until the MySQL store lands (next commit); createStore('mysql://…') reports it.
import { osqsimError } from '../../../lib/errors.js';
import { MemoryStore } from '../memory/index.js';
import type { CreateStoreOptions } from '../index.js';

export class MysqlStore extends MemoryStore {
  constructor(url: string, _options: CreateStoreOptions = {}) {
    super();
    throw osqsimError('STORE_UNAVAILABLE', { reason: `the MySQL store is not built yet (${new URL(url).host})` });
  }
}
