/** Helpers for running Kubernetes manifests' commands locally and checking Prometheus exports. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The kubelet's expansion of container args: `$(NAME)` becomes the value of the container's env var
 * NAME when it is defined (left as written when not), and `$$` escapes a `$`.
 */
export function expandKubernetesArgs(args: readonly string[], env: Readonly<Record<string, string>>): string[] {
  return args.map((arg) => arg.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name: string | undefined) => (name === undefined ? '$' : env[name] ?? whole)));
}

/** promtool's path when installed (Debian: apt-get install prometheus), else undefined. */
export function promtoolPath(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/** `promtool check metrics` on a Prometheus text export: its exit status and what it printed. */
export function promtoolCheck(text: string): { status: number | null; output: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'osqsim-promtool-')), 'metrics.txt');
  writeFileSync(file, text);
  const result = spawnSync('sh', ['-c', `promtool check metrics < "${file}"`], { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
