/**
 * The built-in scenarios shipped in scenarios/*.yaml, found relative to this module so they work
 * from the source tree and from the built package alike.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export const BUILTIN_SCENARIOS = [
  'quickstart',
  'steady-10k',
  'policy-rollout',
  'refetch-storm',
  'policy-edit-under-load',
  'reconnect-wave',
  'stats-strategies',
  'cis-like',
  'fleet-defaults',
  'fleetd-defaults',
] as const;

/** The scenarios/ folder of the package (source or dist/…/scenarios → the source folder with the YAML). */
export function scenariosDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [here, resolve(here, '..', '..', 'scenarios')]) {
    if (existsSync(join(candidate, 'quickstart.yaml'))) return candidate;
  }
  return here;
}

/** Whether `nameOrPath` is written as a name (`quickstart`) rather than a path (`./x.yaml`). */
export function isScenarioName(nameOrPath: string): boolean {
  return !/[\\/]|\.ya?ml$|\.json$/i.test(nameOrPath);
}

/** `quickstart` → its file; a path is returned as given. */
export function resolveScenarioPath(nameOrPath: string): string {
  if (!isScenarioName(nameOrPath)) return nameOrPath;
  const file = join(scenariosDir(), `${nameOrPath}.yaml`);
  return existsSync(file) ? file : nameOrPath;
}

export function listBuiltinScenarios(): Array<{ name: string; file: string; description: string }> {
  const dir = scenariosDir();
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort((a, b) => order(a) - order(b) || a.localeCompare(b))
    .map((f) => {
      const file = join(dir, f);
      let description = '';
      try {
        const doc = parseYaml(readFileSync(file, 'utf8')) as { description?: unknown };
        description = typeof doc?.description === 'string' ? doc.description : '';
      } catch {
        description = '(unreadable)';
      }
      return { name: f.replace(/\.ya?ml$/, ''), file, description };
    });
}

function order(file: string): number {
  const index = (BUILTIN_SCENARIOS as readonly string[]).indexOf(file.replace(/\.ya?ml$/, ''));
  return index < 0 ? 1000 : index;
}
