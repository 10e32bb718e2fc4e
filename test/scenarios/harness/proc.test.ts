import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { cpuMsFromStat, processStats, rssMbFromStatus } from '../../../scenarios/harness/proc.js';

describe('/proc CPU and RSS', () => {
  it('reads utime + stime after a command name with spaces and parentheses', () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime …
    const stat = '4242 (node (worker) 1) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 11 0 1000 123456789 4000';
    expect(cpuMsFromStat(stat)).toBe(3000);
  });

  it('takes resident memory from VmRSS in kB', () => {
    expect(rssMbFromStatus('Name:\tnode\nVmHWM:\t  300000 kB\nVmRSS:\t  204800 kB\n')).toBe(200);
    expect(rssMbFromStatus('Name:\tkthreadd\n')).toBeNaN();
  });

  it('answers undefined, not a throw, for a process that is gone', () => {
    expect(processStats(2 ** 22 + 12345)).toBeUndefined();
  });

  it.runIf(existsSync('/proc/self/stat'))('reads this process', () => {
    const stats = processStats(process.pid)!;
    expect(stats.cpuMs).toBeGreaterThan(0);
    expect(stats.rssMb).toBeGreaterThan(10);
  });
});
