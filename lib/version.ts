/**
 * osqsim's version, from the package's package.json. Found by walking up from this module, so it
 * works from the source tree (lib/version.ts), the build (dist/lib/version.js) and an installed
 * package alike.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageJson(from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

function readVersion(): string {
  const file = findPackageJson(dirname(fileURLToPath(import.meta.url)));
  if (file === undefined) return '0.0.0';
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const VERSION: string = readVersion();
