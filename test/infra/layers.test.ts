/**
 * The import direction of DESIGN §2, checked on every run:
 *   lib ← contract ← {server, simulator, reports} ← scenarios ← capacity ← deploy ← cli
 * bench/ may import anything and nothing imports it; server/ and simulator/ never import each other.
 * Only product code is scanned (tests may import whatever they test).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const LAYERS = ['lib', 'contract', 'server', 'simulator', 'reports', 'scenarios', 'capacity', 'deploy', 'cli', 'bench'] as const;
type Layer = (typeof LAYERS)[number];

/** What each folder may import besides itself. */
const ALLOWED: Record<Layer, readonly Layer[]> = {
  lib: [],
  contract: ['lib'],
  server: ['lib', 'contract'],
  simulator: ['lib', 'contract'],
  reports: ['lib', 'contract'],
  scenarios: ['lib', 'contract', 'server', 'simulator', 'reports'],
  capacity: ['lib', 'contract', 'server', 'simulator', 'reports', 'scenarios'],
  // deploy/ renders deployments (Kubernetes manifests) of what the layers below run.
  deploy: ['lib', 'contract', 'server', 'simulator', 'reports', 'scenarios', 'capacity'],
  cli: ['lib', 'contract', 'server', 'simulator', 'reports', 'scenarios', 'capacity', 'deploy'],
  bench: ['lib', 'contract', 'server', 'simulator', 'reports', 'scenarios', 'capacity', 'deploy', 'cli'],
};

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.ts$/.test(name) && !/\.d\.ts$/.test(name)) out.push(path);
  }
  return out;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|new URL\(\s*['"](\.[^'"]+\.ts)['"]/g;

interface Edge {
  from: string;
  to: string;
}

/** Every relative import of product code, as file → file (repository-relative paths, .ts). */
function importEdges(): Edge[] {
  const edges: Edge[] = [];
  for (const layer of LAYERS) {
    for (const file of sourceFiles(join(root, layer))) {
      for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const spec = match[1] ?? match[2] ?? match[3];
        if (spec === undefined || !spec.startsWith('.')) continue;
        const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
        edges.push({ from: relative(root, file), to: relative(root, target) });
      }
    }
  }
  return edges;
}

const layerOf = (path: string): string => path.split('/')[0]!;
const edges = importEdges();

describe('import direction (DESIGN §2)', () => {
  it('finds the product code it checks', () => {
    expect(edges.length).toBeGreaterThan(200);
    for (const layer of ['lib', 'contract', 'server', 'simulator', 'scenarios', 'capacity', 'cli'] as const) {
      expect(edges.some((e) => layerOf(e.from) === layer), layer).toBe(true);
    }
  });

  it('every import between folders goes down the layers', () => {
    const forbidden = edges
      .filter((e) => layerOf(e.from) !== layerOf(e.to))
      .filter((e) => !(ALLOWED[layerOf(e.from) as Layer] ?? []).includes(layerOf(e.to) as Layer))
      .map((e) => `${e.from} → ${e.to}`);
    expect(forbidden).toEqual([]);
  });

  it('nothing outside bench/ imports bench/', () => {
    expect(edges.filter((e) => layerOf(e.to) === 'bench' && layerOf(e.from) !== 'bench').map((e) => `${e.from} → ${e.to}`)).toEqual([]);
  });

  it('has no import cycle between files', () => {
    const next = new Map<string, string[]>();
    for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string): void => {
      state.set(file, 'open');
      stack.push(file);
      for (const to of next.get(file) ?? []) {
        if (state.get(to) === 'open') cycles.push([...stack.slice(stack.indexOf(to)), to].join(' → '));
        else if (!state.has(to)) visit(to);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of next.keys()) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });
});
