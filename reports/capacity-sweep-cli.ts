/** `osqsim capacity sweep` — wiring from flags to the sweep runner (reports/capacity-sweep.ts). */
import { EXIT, type ExitCode } from '../lib/exit-codes.js';

export async function runSweepCommand(
  _scenario: string,
  _flags: Record<string, string | boolean | string[] | undefined>,
): Promise<ExitCode> {
  process.stderr.write('osqsim capacity sweep: not available yet\n');
  return EXIT.ERROR;
}
