export { MysqlStore, type MysqlStoreOptions } from './store.js';
export { MIGRATIONS, TABLES } from './schema.js';
export { toStoreError } from './errors.js';
