import { describe, expect, it } from 'vitest';
import { cliInvocation } from '../../../scenarios/harness/server-process.js';

describe('starting `osqsim server` from the source tree', () => {
  it('loads tsx by its resolved URL, so the server starts whatever the working directory', () => {
    // A bare `--import tsx` is looked up from the working directory: from a directory without
    // node_modules the server would not start. (The capacity sweep's own copy of this did that.)
    const { command, args } = cliInvocation();
    expect(command).toBe(process.execPath);
    const tsx = args[args.indexOf('--import') + 1]!;
    expect(tsx).not.toBe('tsx');
    expect(tsx).toMatch(/^file:\/\/.*tsx/);
    expect(args[args.length - 1]).toMatch(/cli[/\\]index\.ts$/);
  });
});
