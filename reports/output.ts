/**
 * A run's output folder: runs/<UTC timestamp>-<name>/ with result.json, summary.md and report.html,
 * all rendered from the one result document.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

export class ResultFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResultFileError';
  }
}

/** Reads and sanity-checks a result.json. */
export function readResultFile(file: string): ResultDocument {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ResultFileError(`cannot read ${file}: ${(error as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new ResultFileError(`${file} is not JSON: ${(error as Error).message}`);
  }
  const candidate = doc as Partial<ResultDocument> | null;
  if (!candidate || typeof candidate !== 'object' || candidate.schema !== RESULT_SCHEMA) {
    throw new ResultFileError(`${file} is not an osqsim result (expected "schema": "${RESULT_SCHEMA}")`);
  }
  for (const key of ['run', 'endpoints', 'checkins', 'windows', 'policies', 'aggregations', 'generator', 'thresholds'] as const) {
    if (candidate[key] === undefined) throw new ResultFileError(`${file} has no "${key}" (is it complete?)`);
  }
  return candidate as ResultDocument;
}
