/**
 * The README's `osqsim server` table lists every option of the table in server/options/schema.ts
 * with the same flag, environment variable and default. Its meaning column may say more than the
 * help text. To add a row, start from `readmeTable()` (server/options/describe.ts).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readmeRows, type ReadmeRow } from '../../server/options/describe.js';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));

/** The rows of the first table after the `### \`osqsim server\`` heading. */
function readmeServerTable(markdown: string): ReadmeRow[] {
  const section = markdown.split('\n### ').find((part) => part.startsWith('`osqsim server`'));
  if (section === undefined) throw new Error('README has no "### `osqsim server`" section');
  const lines = section.split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const table = lines.slice(first, lines.findIndex((line, index) => index > first && !line.startsWith('|')));
  const [header, , ...rows] = table.map((line) => line.slice(1, -1).split(' | ').map((cell) => cell.trim()));
  expect(header).toEqual(['flag', 'environment', 'default', 'meaning']);
  return rows.map(([flag = '', env = '', def = '', meaning = '']) => ({ flag, env, default: def, meaning }));
}

describe('README: osqsim server flags', () => {
  const documented = readmeServerTable(readFileSync(README, 'utf8'));
  const expected = readmeRows();

  it('lists every option of the table, and no other', () => {
    expect(documented.map((row) => row.flag).sort()).toEqual(expected.map((row) => row.flag).sort());
  });

  it('gives each option the environment variable and default of the table, and a meaning', () => {
    const byFlag = new Map(documented.map((row) => [row.flag, row]));
    for (const row of expected) {
      const readme = byFlag.get(row.flag);
      expect(readme, `README row for ${row.flag}`).toBeDefined();
      expect({ flag: row.flag, env: readme!.env, default: readme!.default }).toEqual({ flag: row.flag, env: row.env, default: row.default });
      expect(readme!.meaning, `meaning of ${row.flag}`).not.toBe('');
    }
  });
});
