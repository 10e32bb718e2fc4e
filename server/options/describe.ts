/**
 * The option table for people: the `osqsim server --help` line of each option and the README's flag
 * table, with defaults printed from the values the server uses (`1h`, `5MiB`).
 */
import { OPTION_ROWS, type AnyOptionRow } from './schema.js';

/** The default as a user would write it, or what happens without one ("none", "generated at start"). */
export function defaultText(row: AnyOptionRow): string {
  if (row.defaultHelp !== undefined || row.default === undefined) return row.defaultHelp ?? 'none';
  return (row.kind.format as (value: unknown) => string)(row.default);
}

/** Whether the row has a default value worth printing (help's "default: …", code type in the README). */
function hasDefaultValue(row: AnyOptionRow): boolean {
  return row.defaultHelp === undefined && row.default !== undefined;
}

/** The option's help line: its meaning, then its default and environment variable. */
export function optionHelp(row: AnyOptionRow): string {
  const notes = [
    ...(hasDefaultValue(row) ? [`default: ${defaultText(row)}`] : []),
    ...(row.env === undefined ? [] : [`env: ${row.env}`]),
  ];
  return notes.length === 0 ? row.help : `${row.help} (${notes.join('; ')})`;
}

/** `--port <port>`, or the flag alone for a switch. */
export function flagWithPlaceholder(row: AnyOptionRow): string {
  return row.placeholder === '' ? row.flag : `${row.flag} ${row.placeholder}`;
}

/** One README row per option (the meaning column is the help text; the README may say more). */
export interface ReadmeRow {
  readonly flag: string;
  readonly env: string;
  readonly default: string;
  readonly meaning: string;
}

export function readmeRows(rows: readonly AnyOptionRow[] = OPTION_ROWS): ReadmeRow[] {
  return rows.map((each) => ({
    flag: `\`${flagWithPlaceholder(each)}\``,
    env: each.env === undefined ? '' : `\`${each.env}\``,
    default: hasDefaultValue(each) ? `\`${defaultText(each)}\`` : defaultText(each),
    meaning: each.help,
  }));
}

/** The README's `osqsim server` table as markdown. */
export function readmeTable(rows: readonly AnyOptionRow[] = OPTION_ROWS): string {
  const lines = ['| flag | environment | default | meaning |', '|---|---|---|---|'];
  for (const each of readmeRows(rows)) lines.push(`| ${each.flag} | ${each.env} | ${each.default} | ${each.meaning} |`);
  return lines.join('\n');
}
