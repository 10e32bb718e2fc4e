/**
 * A run's output folder: runs/<UTC timestamp>-<name>/ with result.json, summary.md and report.html,
 * all rendered from the one result document.
 */
import { resultDocumentProblem } from './result-shape.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { osqsimError } from '../lib/errors.js';
import { renderHtml } from './html.js';
import { RESULT_SCHEMA, type ResultDocument } from '../contract/result.js';
import { renderSummary } from './summary.js';

export interface RunFiles {
  dir: string;
  result: string;
  summary: string;
  html: string;
}

/** `2026-11-26T14-05-09Z-quickstart`: sortable, safe on every file system. */
export function runDirName(name: string, at: Date = new Date()): string {
  const stamp = at.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-');
  const safe = name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'run';
  return `${stamp}-${safe}`;
}

/** Writes the three files into `dir` (created). */
export function writeRunFiles(doc: ResultDocument, dir: string): RunFiles {
  mkdirSync(dir, { recursive: true });
  const files: RunFiles = { dir, result: join(dir, 'result.json'), summary: join(dir, 'summary.md'), html: join(dir, 'report.html') };
  writeFileSync(files.result, `${JSON.stringify(doc, null, 2)}\n`);
  writeFileSync(files.summary, renderSummary(doc));
  writeFileSync(files.html, renderHtml(doc));
  return files;
}

/** Reads and sanity-checks a result.json; a file that is not one is RESULT_FILE_INVALID (invalid input). */
export function readResultFile(file: string): ResultDocument {
  const invalid = (reason: string, cause?: unknown) => osqsimError('RESULT_FILE_INVALID', { file, reason }, cause);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw invalid(`cannot read it: ${(error as Error).message}`, error);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw invalid(`not JSON: ${(error as Error).message}`, error);
  }
  return checkResultDocument(doc, file);
}

/** A parsed value as a result document, or RESULT_FILE_INVALID naming `source` (a file, or a log line). */
export function checkResultDocument(doc: unknown, source: string): ResultDocument {
  const invalid = (reason: string) => osqsimError('RESULT_FILE_INVALID', { file: source, reason });
  const candidate = doc as Partial<ResultDocument> | null;
  if (!candidate || typeof candidate !== 'object' || candidate.schema !== RESULT_SCHEMA) {
    throw invalid(`not an osqsim result (expected "schema": "${RESULT_SCHEMA}")`);
  }
  for (const key of ['run', 'endpoints', 'checkins', 'windows', 'policies', 'aggregations', 'generator', 'thresholds'] as const) {
    if (candidate[key] === undefined) throw invalid(`no "${key}" (is it complete?)`);
  }
  // Every field merge, compare and the renderers read: a wrong type deep inside is named here, not a TypeError later.
  const problem = resultDocumentProblem(candidate);
  if (problem !== undefined) throw invalid(problem);
  return candidate as ResultDocument;
}
