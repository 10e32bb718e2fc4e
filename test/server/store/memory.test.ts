import { describe, expect, it } from 'vitest';
import { createStore, parseStoreSpec } from '../../../server/store/index.js';
import { storeContract } from './contract.js';
import { queriesContract } from './queries-contract.js';

storeContract('memory', () => createStore('memory'));

describe('createStore', () => {
  it('refuses a spec that is neither memory nor a mysql:// URL', async () => {
    for (const spec of ['', 'Memory', 'postgres://localhost/db', 'mysql://localhost', 'mysql://localhost/', 'not a url']) {
      await expect(createStore(spec), spec).rejects.toMatchObject({ code: 'CLI_INVALID_STORE' });
    }
    expect(parseStoreSpec('mysql://root:pw@127.0.0.1:3306/osqsim')).toMatchObject({ kind: 'mysql' });
  });

  it('a closed memory store answers STORE_UNAVAILABLE', async () => {
    const store = await createStore('memory');
    await store.close();
    await expect(store.ping()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });
});

queriesContract('memory', () => createStore('memory'));
