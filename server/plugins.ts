/**
 * The server's parts, in registration order. Each module exports `plugin: ServerPlugin`.
 * Adding a part: add one line here.
 */
import type { ServerPlugin } from './context.js';

export const SERVER_PLUGINS: ReadonlyArray<() => Promise<{ plugin: ServerPlugin }>> = [
  () => import('./osquery/index.js'),
  () => import('./orbit/routes.js'),
  () => import('./stats/index.js'),
  () => import('./api/index.js'),
];
