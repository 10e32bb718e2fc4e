/** Writes a sweep's report folder: runs/<timestamp>-capacity/ with sweep.json and report.html. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDirName } from '../reports/output.js';
import { renderCapacityHtml } from './html.js';
import type { SweepDocument } from './sweep-document.js';

/** Writes runs/<timestamp>-capacity/{sweep.json,report.html}; returns the directory. */
export function writeCapacityReport(sweep: SweepDocument, runsDir: string, at: Date = new Date()): { dir: string; html: string; sweep: string } {
  const dir = join(runsDir, runDirName('capacity', at));
  mkdirSync(dir, { recursive: true });
  const files = { dir, html: join(dir, 'report.html'), sweep: join(dir, 'sweep.json') };
  writeFileSync(files.sweep, `${JSON.stringify(sweep, null, 2)}\n`);
  writeFileSync(files.html, renderCapacityHtml(sweep));
  return files;
}
