/**
 * Where `osqsim report merge` finds shard results: result files, `kubectl logs` output (each shard
 * prints its result as one JSON line among its other log lines, possibly behind a `--prefix` or
 * `--timestamps` column), and folders of either (a volume every shard wrote its file into). One
 * input may hold several shards. And the check a collected run needs before it merges: every shard
 * of 0..n-1 is there.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { osqsimError } from '../lib/errors.js';
import { RESULT_SCHEMA, type ResultDocument } from '../contract/result.js';
import { checkResultDocument } from './output.js';

export interface ShardInput {
  doc: ResultDocument;
  /** `file`, or `file:line` for a result found in a log. */
  source: string;
}

/** A result line starts here; whatever a log collector put before it on the line is skipped. */
const RESULT_START = `{"schema":"${RESULT_SCHEMA}"`;

/** Results in one text: a whole JSON document (a result file), or log lines of which some are results. */
export function resultsInText(text: string, source: string): ShardInput[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') && !trimmed.startsWith(RESULT_START)) {
    // A pretty-printed result file (osqsim simulate --out, osqsim run) is one document; text that is
    // not one JSON document is read as log lines below.
    let doc: unknown;
    try {
      doc = JSON.parse(trimmed);
    } catch {
      doc = undefined;
    }
    if (doc !== undefined) return [{ doc: checkResultDocument(doc, source), source }];
  }
  const found: ShardInput[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const start = line.indexOf(RESULT_START);
    if (start < 0) return;
    const where = `${source}:${i + 1}`;
    let doc: unknown;
    try {
      doc = JSON.parse(line.slice(start).trimEnd());
    } catch (error) {
      // A log line cut short (a pod killed while printing, a runtime that split a long line).
      throw osqsimError('RESULT_FILE_INVALID', { file: where, reason: `a result line that is not whole JSON (${(error as Error).message}); collect the logs again or use the shard's --out file` }, error);
    }
    found.push({ doc: checkResultDocument(doc, where), source: where });
  });
  return found;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw osqsimError('RESULT_FILE_INVALID', { file, reason: `cannot read it: ${(error as Error).message}` }, error);
  }
}

/**
 * Every result in the inputs: a file (result JSON or a log), `-` (standard input, e.g. `kubectl logs … |`),
 * or a folder (its *.json and *.log files, in name order). An input that holds no result is an error
 * naming it, so a shard that never reported is not silently left out.
 */
export function readMergeInputs(inputs: readonly string[], stdin: () => string = () => readFileSync(0, 'utf8')): ShardInput[] {
  const all: ShardInput[] = [];
  for (const input of inputs) {
    if (input === '-') {
      all.push(...expectSome(resultsInText(stdin(), '(stdin)'), '(stdin)'));
      continue;
    }
    let isDir = false;
    try {
      isDir = statSync(input).isDirectory();
    } catch (error) {
      throw osqsimError('RESULT_FILE_INVALID', { file: input, reason: `cannot read it: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` }, error);
    }
    if (!isDir) {
      all.push(...expectSome(resultsInText(readText(input), input), input));
      continue;
    }
    const files = readdirSync(input).filter((name) => /\.(json|log|txt)$/.test(name)).sort();
    const inDir = files.flatMap((name) => resultsInText(readText(join(input, name)), join(input, name)));
    all.push(...expectSome(inDir, input));
  }
  return all;
}

function expectSome(found: ShardInput[], source: string): ShardInput[] {
  if (found.length === 0) {
    throw osqsimError('RESULT_FILE_INVALID', { file: source, reason: `no osqsim result in it (a shard prints one line starting ${RESULT_START}; did the shard finish?)` });
  }
  return found;
}

/**
 * Shards of one run must all be there: a missing one would undercount hosts and requests. Results
 * without shard info (separate runs merged on purpose) are not checked.
 */
export function checkAllShards(inputs: readonly ShardInput[]): void {
  const shards = inputs.map((i) => i.doc.run.shard).filter((s) => s !== undefined);
  if (shards.length !== inputs.length || shards.length === 0) return;
  const count = shards[0]!.count;
  const present = new Set(shards.map((s) => s.index));
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !present.has(i));
  if (missing.length > 0 && shards.every((s) => s.count === count)) {
    throw osqsimError('RESULT_MERGE_INVALID', {
      reason: `shard${missing.length === 1 ? '' : 's'} ${missing.join(', ')} of ${count} missing (found ${[...present].sort((a, b) => a - b).join(', ')}): collect every shard's result (kubectl logs --tail=-1 --max-log-requests=${count}), or merge with --allow-missing`,
    });
  }
}
