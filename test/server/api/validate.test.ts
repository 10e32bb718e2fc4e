/** Policy payload verification: Fleet's messages plus osqsim's read-only SQL rule. */
import { describe, expect, it } from 'vitest';
import { normalisePlatformList } from '../../../contract/platforms.js';
import { policyProblem, readOnlyProblem, stripSqlCommentsAndLiterals } from '../../../server/api/validate.js';

describe('readOnlyProblem', () => {
  it.each([
    'SELECT 1',
    'select 1 from os_version where major >= 14;',
    "SELECT 1 FROM apps WHERE name = 'Delete; Insert Update' AND bundle_id != 'x'",
    'SELECT 1 -- DROP TABLE users\nFROM system_info',
    'SELECT 1 /* ATTACH */ FROM system_info',
    "SELECT replace(name, 'a', 'b') FROM users",
    'SELECT 1 FROM windows_update_history',
    'SELECT * FROM pragma_table_info',
    'WITH t AS (SELECT 1 AS x) SELECT x FROM t',
    'SELECT "update" FROM t',
    "SELECT 1 WHERE 'it''s; DELETE' = ''",
    "SELECT 1 FROM rpm_packages WHERE name = 'openssl' AND release >= '1.el9'",
    "SELECT 1 FROM users WHERE uid = 0 OR REPLACE(username, 'x', '') = 'root'",
  ])('accepts %s', (sql) => {
    expect(readOnlyProblem(sql)).toBeUndefined();
  });

  it.each([
    ['INSERT INTO t VALUES (1)', /INSERT/],
    ['update t set a = 1', /UPDATE/],
    ['DELETE FROM t', /DELETE/],
    ["ATTACH DATABASE '/tmp/x' AS x", /ATTACH/],
    ['PRAGMA writable_schema = 1', /PRAGMA/],
    ['CREATE TABLE t (a)', /CREATE/],
    ['DROP TABLE t', /DROP/],
    ['ALTER TABLE t ADD b', /ALTER/],
    ['REPLACE INTO t VALUES (1)', /REPLACE/],
    ['INSERT OR REPLACE INTO t VALUES (1)', /INSERT/],
    ['SELECT 1; SELECT 2', /one SQL statement/],
    ["SELECT ';' ; DELETE FROM t", /one SQL statement/],
    ['EXPLAIN SELECT 1', /must be a SELECT/],
    ['BEGIN', /must be a SELECT/],
    ['VACUUM', /must be a SELECT/],
    ['SAVEPOINT x', /must be a SELECT/],
  ])('rejects %s', (sql, reason) => {
    expect(readOnlyProblem(sql)).toMatch(reason);
  });

  it('strips comments and literals but keeps the rest', () => {
    expect(stripSqlCommentsAndLiterals("SELECT 'a;b' -- x\nFROM t /* y */").replace(/\s+/g, ' ').trim()).toBe("SELECT '' FROM t");
  });
});

describe('policyProblem', () => {
  it('uses Fleet\'s messages', () => {
    expect(policyProblem({ name: ' ', query: 'SELECT 1' }, false)).toBe('policy name cannot be empty');
    expect(policyProblem({ name: 'x', query: '\n' }, false)).toBe('policy query cannot be empty');
    expect(policyProblem({ name: 'x', query: 'SELECT 1', platform: 'darwin,ios' }, false)).toMatch(/^invalid policy platform/);
    expect(policyProblem({ name: 'x', query: 'DELETE FROM t' }, false)).toMatch(/^invalid policy query/);
    expect(policyProblem({ name: 'x', query: 'SELECT 1', platform: 'darwin, linux,windows ,chrome' }, false)).toBeUndefined();
  });

  it('checks only given fields on a partial (PATCH) payload', () => {
    expect(policyProblem({}, true)).toBeUndefined();
    expect(policyProblem({ platform: '' }, true)).toBeUndefined();
    expect(policyProblem({ name: '' }, true)).toBe('policy name cannot be empty');
  });

  it('normalises platform lists with or without spaces', () => {
    expect(normalisePlatformList(' darwin , linux,,windows ')).toBe('darwin,linux,windows');
  });
});
