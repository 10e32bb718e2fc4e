/** Every built-in scenario passes its own thresholds on MySQL (a fresh database each), in miniature (builtin-pass-suite.ts). */
import { createTestDatabase, describeMysql } from '../helpers/mysql.js';
import { builtinScenarioTests } from './builtin-pass-suite.js';

describeMysql('built-in scenarios on MySQL', () => {
  builtinScenarioTests(async () => {
    const database = await createTestDatabase();
    return { url: database.url, dispose: () => database.drop() };
  });
});
