import { beforeAll, expect, test } from 'vitest';
import type { SqlJsStatic } from 'sql.js';
import { FleetEvaluator, loadSqlJs, withHostIdentity } from '../../simulator/fleet/evaluator.js';
import { osqueryEnvironment } from '../../simulator/fleet/environment.js';
import type { FleetGroupSpec } from '../../contract/fleet-spec.js';
import { environment } from './fixtures/environment.js';

let SQL: SqlJsStatic;
beforeAll(async () => {
  SQL = await loadSqlJs();
});

const mac: FleetGroupSpec = {
  name: 'mac',
  platform: 'darwin',
  os_version: '14.4',
  osquery_version: '5.12.1',
  tables: { disk_encryption: [{ name: 'disk0', encrypted: 1 }], os_version: [{ name: 'macOS', version: '14.4.1', major: 14 }] },
};
const linux: FleetGroupSpec = { name: 'linux', platform: 'ubuntu', os_version: '22.04', osquery_version: '5.12.1', tables: {} };

const evaluator = () => new FleetEvaluator(SQL, [mac, linux], environment);

test('rows pass, no rows fail', () => {
  const ev = evaluator();
  expect(ev.answer(0, 'SELECT 1 FROM disk_encryption WHERE encrypted = 1')).toMatchObject({ status: 0, rowCount: 1 });
  expect(ev.answer(0, 'SELECT 1 FROM disk_encryption WHERE encrypted = 0')).toMatchObject({ status: 0, rowCount: 0, rowsJson: '""' });
});

test('SELECT 1 passes and SELECT 0 passes too (it returns a row), as on real osquery', () => {
  const ev = evaluator();
  expect(ev.answer(0, 'SELECT 1')).toMatchObject({ status: 0, rowCount: 1 });
  expect(ev.answer(0, 'SELECT 0')).toMatchObject({ status: 0, rowCount: 1, rows: [{ '0': '0' }] });
});

test('a table the platform has but the group does not define exists and is empty', () => {
  const ev = evaluator();
  expect(ev.answer(1, 'SELECT 1 FROM disk_encryption WHERE encrypted = 1')).toMatchObject({ status: 0, rowCount: 0 });
});

test('a table the platform does not have errors like osquery', () => {
  const ev = evaluator();
  expect(ev.answer(1, 'SELECT 1 FROM alf WHERE global_state >= 1')).toMatchObject({ status: 1, message: 'no such table: alf' });
  expect(ev.answer(0, 'SELECT 1 FROM alf WHERE global_state >= 1')).toMatchObject({ status: 0, rowCount: 0 });
});

test('bad SQL gives status 1 and SQLite\'s message', () => {
  const ev = evaluator();
  expect(ev.answer(0, 'SELEC 1 FROM os_version')).toMatchObject({ status: 1, message: 'near "SELEC": syntax error' });
});

test('rows are sent as strings, and queries cannot change the state', () => {
  const ev = evaluator();
  expect(ev.answer(0, 'SELECT major FROM os_version').rows).toEqual([{ major: '14' }]);
  expect(ev.answer(0, 'DELETE FROM disk_encryption').status).toBe(1);
  expect(ev.answer(0, 'SELECT count(*) AS n FROM disk_encryption').rows).toEqual([{ n: '1' }]);
});

test('answers are cached per (group, query text)', () => {
  const ev = evaluator();
  ev.answer(0, 'SELECT 1');
  ev.answer(0, 'SELECT 1');
  ev.answer(1, 'SELECT 1');
  expect(ev.cachedAnswers).toBe(2);
});

test('real catalogue and osquery functions: a real-world policy runs as on a host', () => {
  const ev = new FleetEvaluator(SQL, [mac, linux], osqueryEnvironment());
  expect(ev.answer(0, "SELECT 1 FROM os_version WHERE version_compare(version, '14.0') >= 0;")).toMatchObject({ status: 0, rowCount: 1 });
  expect(ev.answer(0, "SELECT 1 FROM os_version WHERE version_compare(version, '15.0') >= 0;")).toMatchObject({ status: 0, rowCount: 0 });
  // alf exists on macOS (empty here) but not on Linux.
  expect(ev.answer(0, 'SELECT 1 FROM alf WHERE global_state >= 1')).toMatchObject({ status: 0, rowCount: 0 });
  expect(ev.answer(1, 'SELECT 1 FROM alf WHERE global_state >= 1')).toMatchObject({ status: 1, message: 'no such table: alf' });
});

test('identity tables have one row per host: tokens in the group answer, each host\'s own values after withHostIdentity', () => {
  const ev = new FleetEvaluator(SQL, [mac, { ...linux, tables: { system_info: [{ hostname: 'same-for-all', cpu_brand: 'Xeon' }] } }], osqueryEnvironment());
  expect(ev.answer(0, 'SELECT 1 FROM system_info')).toMatchObject({ status: 0, rowCount: 1 });
  expect(ev.answer(0, 'SELECT version FROM osquery_info').rows).toEqual([{ version: '5.12.1' }]);
  const answer = ev.answer(1, 'SELECT hostname, uuid, hardware_serial, cpu_brand FROM system_info');
  const host = { hostname: 'linux-7', uuid: 'ABC-123', serial: 'S0007' };
  expect(JSON.parse(withHostIdentity(answer.rowsJson, host))).toEqual([{ hostname: 'linux-7', uuid: 'ABC-123', hardware_serial: 'S0007', cpu_brand: 'Xeon' }]);
  expect(withHostIdentity('""', host)).toBe('""');
});
