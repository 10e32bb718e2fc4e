import { createStore } from '../../server/store/index.js';
import { createTestDatabase, describeMysql } from '../helpers/mysql.js';
import { defineEndToEnd } from './e2e-suite.js';

describeMysql('simulator end-to-end against osqsim server (MySQL store)', () => {
  defineEndToEnd(async () => {
    const database = await createTestDatabase();
    const store = await createStore(database.url);
    return {
      store,
      async dispose() {
        await store.close();
        await database.drop();
      },
    };
  });
});
