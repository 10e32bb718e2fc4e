/**
 * osquery's registry table echoes the requested key spelling (osquery/osquery
 * osquery/tables/system/windows/registry.cpp `genRegistry`, `queryKey`, `explodeRegistryPath`;
 * simulator/fleet/registry-spelling.ts).
 */
import { beforeAll, expect, test } from 'vitest';
import type { SqlJsStatic } from 'sql.js';
import { FleetEvaluator, loadSqlJs } from '../../../simulator/fleet/evaluator.js';
import { osqueryEnvironment } from '../../../simulator/fleet/environment.js';
import { keyOfPathConstraint, registryKeyIdentity, registryPieces, requestedRegistryKeys } from '../../../simulator/fleet/registry-spelling.js';
import type { FleetGroupSpec } from '../../../contract/fleet-spec.js';

let SQL: SqlJsStatic;
beforeAll(async () => {
  SQL = await loadSqlJs();
});

const LSA = String.raw`HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\Lsa`;
const win: FleetGroupSpec = {
  name: 'win',
  platform: 'windows',
  os_version: '10.0.22631',
  osquery_version: '5.12.1',
  tables: {
    registry: [
      { key: LSA, path: `${LSA}\\LimitBlankPasswordUse`, name: 'LimitBlankPasswordUse', type: 'REG_DWORD', data: '1', mtime: 1730000000 },
      { key: LSA, path: `${LSA}\\NoLMHash`, name: 'NoLMHash', type: 'REG_DWORD', data: '1', mtime: 1730000000 },
      { key: LSA, path: `${LSA}\\MSV1_0`, name: 'MSV1_0', type: 'subkey', data: '', mtime: 1730000000 },
    ],
  },
};
const evaluator = (): FleetEvaluator => new FleetEvaluator(SQL, [win], osqueryEnvironment());
const doubled = (s: string): string => s.replaceAll('\\', '\\\\');

test('osquery::split pieces: empty ones dropped, trimmed; the hive is exact, the rest case-insensitive', () => {
  expect(registryPieces('\\HKEY_USERS\\\\S-1-5-18\\ Software \\')).toEqual(['HKEY_USERS', 'S-1-5-18', 'Software']);
  expect(registryKeyIdentity(doubled(LSA))).toBe(registryKeyIdentity(LSA));
  expect(registryKeyIdentity(LSA.toUpperCase())).toBe(registryKeyIdentity(LSA));
  expect(registryKeyIdentity(LSA.replace('HKEY_LOCAL_MACHINE', 'hkey_local_machine'))).toBeUndefined();
  expect(registryKeyIdentity('HKLM\\SYSTEM')).toBeUndefined();
  expect(keyOfPathConstraint(doubled(`${LSA}\\NoLMHash`))).toBe(`${doubled(LSA)}\\`);
  expect(keyOfPathConstraint('HKEY_USERS')).toBe('HKEY_USERS');
});

test('the constraints genRegistry reads: key/path equality and IN, either side; LIKE is not an equality', () => {
  expect(requestedRegistryKeys(`SELECT 1 FROM registry WHERE path = 'A\\B\\v' AND data = 'x'`)).toEqual(['A\\B']);
  expect(requestedRegistryKeys(`SELECT 1 FROM registry r WHERE 'K\\1' == r.key`)).toEqual(['K\\1']);
  expect(requestedRegistryKeys(`SELECT 1 FROM registry WHERE key IN ('K\\1', 'K\\2''s')`)).toEqual(['K\\1', "K\\2's"]);
  expect(requestedRegistryKeys(`SELECT 1 FROM registry WHERE key LIKE 'K\\%'`)).toEqual([]);
});

test('path = with doubled backslashes matches, and the row echoes the requested spelling in key and path', () => {
  const ev = evaluator();
  const path = doubled(`${LSA}\\NoLMHash`);
  const answer = ev.answer(0, `SELECT key, path, name, data FROM registry WHERE path = '${path}' AND data = 1`);
  // genRegistry: keyPath = path.substr(0, find_last_of('\\')) keeps one of the doubled backslashes;
  // queryKey: path = keyPath + '\\' + name → the requested string again.
  expect(answer.rows).toEqual([{ key: `${doubled(LSA)}\\`, path, name: 'NoLMHash', data: '1' }]);
});

test('key = with doubled, single and mixed backslashes returns the key\'s values and subkeys under that spelling', () => {
  const ev = evaluator();
  for (const spelling of [doubled(LSA), LSA, LSA.replace('\\SYSTEM\\', '\\\\SYSTEM\\')]) {
    const answer = ev.answer(0, `SELECT key, path, name FROM registry WHERE key = '${spelling}' ORDER BY name`);
    expect(answer.rows.map((r) => r.name)).toEqual(['LimitBlankPasswordUse', 'MSV1_0', 'NoLMHash']);
    for (const row of answer.rows) {
      expect(row.key).toBe(spelling);
      expect(row.path).toBe(`${spelling}\\${row.name}`);
    }
  }
});

test('case: key names match case-insensitively, the hive exactly, and the value name stays as stored', () => {
  const ev = evaluator();
  const lower = LSA.replace('CurrentControlSet\\Control\\Lsa', 'currentcontrolset\\control\\lsa');
  expect(ev.answer(0, `SELECT 1 FROM registry WHERE path = '${lower}\\NoLMHash'`).rowCount).toBe(1);
  // the row's path is built from the registry's own value name, so SQLite's = (BINARY) rejects it
  expect(ev.answer(0, `SELECT 1 FROM registry WHERE path = '${LSA}\\nolmhash'`).rowCount).toBe(0);
  // kRegistryHives is a std::map: a hive in another case is not opened
  expect(ev.answer(0, `SELECT 1 FROM registry WHERE key = '${LSA.replace('HKEY_LOCAL_MACHINE', 'hkey_local_machine')}'`).rowCount).toBe(0);
});

test('LIKE: expandRegistryGlobs rebuilds keys with single backslashes, so doubled patterns match nothing', () => {
  const ev = evaluator();
  expect(ev.answer(0, `SELECT 1 FROM registry WHERE path LIKE '${LSA}\\No%'`).rowCount).toBe(1);
  expect(ev.answer(0, `SELECT 1 FROM registry WHERE path LIKE '${doubled(LSA)}\\\\No%'`).rowCount).toBe(0);
});

test('a key the host does not have answers nothing, and the echoed rows do not outlive the query', () => {
  const ev = evaluator();
  expect(ev.answer(0, String.raw`SELECT 1 FROM registry WHERE key = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Nope'`).rowCount).toBe(0);
  expect(ev.answer(0, `SELECT count(*) AS n FROM registry WHERE key = '${doubled(LSA)}'`).rows).toEqual([{ n: '3' }]);
  expect(ev.answer(0, 'SELECT count(*) AS n FROM registry').rows).toEqual([{ n: '3' }]);
  expect(ev.answer(0, `DELETE FROM registry WHERE key = '${doubled(LSA)}'`).status).toBe(1);
  expect(ev.answer(0, 'SELECT count(*) AS n FROM registry WHERE 1').rows).toEqual([{ n: '3' }]);
});
