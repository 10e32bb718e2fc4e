/**
 * Result documents are checked field by field when read back (found by fuzzing, docs/RELIABILITY.md
 * "Fuzzing"): a wrong type deep inside or a histogram that does not decode is exit 2 naming the
 * field, not a TypeError (exit 1) in merge, compare or the renderers.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compareCommand, mergeCommand } from '../../cli/report.js';
import { resultDocumentProblem } from '../../reports/result-shape.js';
import { syntheticResult } from './fixture.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function files(a: unknown, b: unknown): [string, string] {
  dir = mkdtempSync(join(tmpdir(), 'osqsim-result-shape-'));
  writeFileSync(join(dir, 'a.json'), JSON.stringify(a));
  writeFileSync(join(dir, 'b.json'), JSON.stringify(b));
  return [join(dir, 'a.json'), join(dir, 'b.json')];
}

describe('result document shape', () => {
  it('accepts the documents osqsim writes', () => {
    expect(resultDocumentProblem(syntheticResult())).toBeUndefined();
  });

  it('compare: a percentile that is not a number is exit 2 naming it (was exit 1: value.toFixed is not a function)', () => {
    const bad = syntheticResult() as unknown as { endpoints: { read: { latency_ms: { p99: unknown } } } };
    bad.endpoints.read.latency_ms.p99 = [50];
    const [a, b] = files(syntheticResult(), bad);
    let err = '';
    expect(compareCommand(a, b, '10%', false, () => undefined, (t) => (err += t))).toBe(2);
    expect(err).toContain('endpoints.read.latency_ms.p99 must be a finite number (got an array)');
  });

  it('merge: a histogram that does not decode is exit 2 naming it (was exit 1 from the HdrHistogram library)', () => {
    const bad = syntheticResult({ seed: 1 }) as unknown as { endpoints: { write: { histogram: string } } };
    bad.endpoints.write.histogram = 'HISTFAAAAB';
    const [a, b] = files(syntheticResult({ seed: 1 }), bad);
    let err = '';
    expect(mergeCommand([a, b], join(dir!, 'out.json'), () => undefined, (t) => (err += t))).toBe(2);
    expect(err).toContain('endpoints.write.histogram');
  });

  it('merge: a window that is not an object is exit 2 with its index', () => {
    const bad = syntheticResult() as unknown as { windows: unknown[] };
    bad.windows[3] = null;
    expect(resultDocumentProblem(bad)).toBe('windows[3] must be an object (got null)');
  });
});
