/**
 * `capacity plan --from` checks the sweep file field by field (found by fuzzing, docs/RELIABILITY.md
 * "Fuzzing"): a wrong type inside a step is exit 2 naming it, not a TypeError (exit 1) in the model.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { planCommand, type PlanFlags } from '../../cli/capacity.js';
import { sweepOf, sweepStep } from './fixtures.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function plan(sweep: unknown): { code: number; err: string; out: string } {
  dir = mkdtempSync(join(tmpdir(), 'osqsim-sweep-shape-'));
  const file = join(dir, 'sweep.json');
  writeFileSync(file, JSON.stringify(sweep));
  const flags: PlanFlags = { hosts: '100000', policies: '10', teams: '2', distributedInterval: '10s', policyInterval: '1h', configRefresh: '60s', statsInterval: '1h', from: file, instanceCpus: '1', targetCpu: '60%', json: true };
  let err = '';
  let out = '';
  const code = planCommand(flags, (t) => (out += t), (t) => (err += t));
  return { code, err, out };
}

describe('sweep file shape', () => {
  it('plans from a well-formed sweep', () => {
    expect(plan(sweepOf([sweepStep(0, 1000), sweepStep(1, 2000), sweepStep(2, 4000)])).code).toBe(0);
  });

  it('a step whose generator is null is exit 2 naming it (was exit 1: Cannot read properties of null)', () => {
    const sweep = sweepOf([sweepStep(0, 1000), sweepStep(1, 2000)]) as unknown as { steps: Array<{ generator: unknown }> };
    sweep.steps[1]!.generator = null;
    const { code, err } = plan(sweep);
    expect(code).toBe(2);
    expect(err).toContain('steps[1].generator must be an object (got null)');
  });

  it('a latency that is not a number is exit 2 naming it', () => {
    const sweep = sweepOf([sweepStep(0, 1000)]) as unknown as { steps: Array<{ endpoints: { read: { latency_ms: { p99: unknown } } } }> };
    sweep.steps[0]!.endpoints.read.latency_ms.p99 = '5';
    const { code, err } = plan(sweep);
    expect(code).toBe(2);
    expect(err).toContain('steps[0].endpoints.read.latency_ms.p99 must be a finite number (got a string)');
  });
});
