/**
 * Where `osqsim report merge` finds shard results (reports/merge-input.ts): result files, logs with
 * one result line per shard among other lines (kubectl logs, with --prefix or --timestamps), folders
 * (a volume the shards wrote into), standard input; and the refusal of a missing shard.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkAllShards, readMergeInputs, resultsInText } from '../../reports/merge-input.js';
import { mergeCommand } from '../../cli/report.js';
import type { ResultDocument } from '../../contract/result.js';
import { syntheticResult } from './fixture.js';

function shard(index: number, count = 3): ResultDocument {
  const doc = syntheticResult({ hosts: 300 });
  doc.run.shard = { index, count };
  return doc;
}

describe('merge inputs', () => {
  it('finds result lines behind kubectl prefixes and timestamps, and skips every other line', () => {
    const text = [
      'workers ready; hosts starting',
      `[pod/osqsim-simulator-0-abc/simulator] ${JSON.stringify(shard(0))}`,
      '{"level":30,"msg":"not a result"}',
      `2026-12-05T12:00:10.123456789Z ${JSON.stringify(shard(1))}`,
      JSON.stringify(shard(2)),
      '',
    ].join('\n');
    const found = resultsInText(text, 'shards.log');
    expect(found.map((f) => f.doc.run.shard!.index)).toEqual([0, 1, 2]);
    expect(found.map((f) => f.source)).toEqual(['shards.log:2', 'shards.log:4', 'shards.log:5']);
  });

  it('reads a pretty-printed result file as one document', () => {
    expect(resultsInText(JSON.stringify(shard(1), null, 2), 'a.json')).toHaveLength(1);
  });

  it('names a result line cut short, and an input without any result', () => {
    const cut = JSON.stringify(shard(0)).slice(0, 500);
    expect(() => resultsInText(`x\n${cut}\n`, 'pod.log')).toThrow(/pod\.log:2: a result line that is not whole JSON/);
    const dir = mkdtempSync(join(tmpdir(), 'osqsim-merge-in-'));
    writeFileSync(join(dir, 'empty.log'), 'starting 100 hosts…\nOOMKilled\n');
    expect(() => readMergeInputs([join(dir, 'empty.log')])).toThrow(/empty\.log: no osqsim result in it/);
    expect(() => readMergeInputs([join(dir, 'missing.log')])).toThrow(/missing\.log: cannot read it: ENOENT/);
  });

  it('reads a folder of shard files (a results volume) and standard input', () => {
    const dir = mkdtempSync(join(tmpdir(), 'osqsim-merge-in-'));
    const volume = join(dir, 'results');
    mkdirSync(volume);
    for (const i of [0, 1, 2]) writeFileSync(join(volume, `shard-${i}.json`), JSON.stringify(shard(i), null, 2));
    writeFileSync(join(volume, 'README'), 'not read');
    expect(readMergeInputs([volume]).map((f) => f.doc.run.shard!.index)).toEqual([0, 1, 2]);
    const stdin = [0, 1, 2].map((i) => JSON.stringify(shard(i))).join('\n');
    expect(readMergeInputs(['-'], () => stdin)).toHaveLength(3);
    expect(() => readMergeInputs([join(dir)])).toThrow(/no osqsim result/);
    const out: string[] = [];
    expect(mergeCommand(['-'], join(dir, 'merged.json'), (t) => out.push(t), () => undefined, { stdin: () => stdin })).toBe(0);
    expect(out.join('')).toMatch(/merged 3 results \(300 hosts\)/);
  });

  it('refuses a run with a shard missing, naming it', () => {
    const found = [shard(0, 4), shard(2, 4)].map((doc) => ({ doc, source: 'x' }));
    expect(() => checkAllShards(found)).toThrow(/shards 1, 3 of 4 missing \(found 0, 2\)/);
    expect(() => checkAllShards([0, 1, 2, 3].map((i) => ({ doc: shard(i, 4), source: 'x' })))).not.toThrow();
    // Results of separate runs (no shard info) are merged as they are.
    expect(() => checkAllShards([syntheticResult(), syntheticResult()].map((doc) => ({ doc, source: 'x' })))).not.toThrow();
  });
});
