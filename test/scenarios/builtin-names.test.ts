/** Every command reads a scenario the same way: `osqsim scenario validate|plan quickstart` as `osqsim run quickstart`. */
import { describe, expect, it } from 'vitest';
import { planCommand, validateCommand } from '../../cli/scenario.js';
import { EXIT } from '../../lib/exit-codes.js';
import { readScenario } from '../../scenarios/read.js';

function capture(): { text: string[]; print: (t: string) => void } {
  const text: string[] = [];
  return { text, print: (t) => text.push(t) };
}

describe('a built-in scenario name', () => {
  it('is accepted by osqsim scenario validate, as by osqsim run', () => {
    const out = capture();
    expect(validateCommand(['quickstart'], out.print, out.print)).toBe(EXIT.OK);
    expect(out.text.join('')).toMatch(/^quickstart: ok \(quickstart: 1500 hosts, 120s, 2 timeline events, 5 thresholds\)/);
  });

  it('is accepted by osqsim scenario plan, as by osqsim run', () => {
    const out = capture();
    expect(planCommand('quickstart', true, out.print, out.print)).toBe(EXIT.OK);
    expect(JSON.parse(out.text.join(''))).toMatchObject({ name: 'quickstart', hosts: 1500, duration_s: 120 });
  });

  it('that does not exist is "not found", with the nearest built-in name', () => {
    const result = readScenario('quikstart');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues[0]!.message).toMatch(/^not found: quikstart \(did you mean quickstart\?\) \(built-in scenarios: osqsim scenario list\)/);
  });
});
