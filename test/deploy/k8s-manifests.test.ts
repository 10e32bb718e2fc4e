/**
 * Every manifest `osqsim k8s render` prints is checked against Kubernetes' own OpenAPI schemas
 * (kubernetes-models validates each object as the API server's schema would), and against what the
 * run needs: an Indexed Job with one shard per index, a shared start, the server scrapeable, the
 * bundled MySQL only without --store, and commands that use flags osqsim really has.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Command } from 'commander';
import { Secret, Service, ConfigMap } from 'kubernetes-models/v1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { buildProgram } from '../../cli/index.js';
import { renderCommand } from '../../cli/k8s.js';
import { renderOptionsFromFlags, type RenderFlags } from '../../deploy/k8s/options.js';
import { renderYaml } from '../../deploy/k8s/render.js';
import type { KubeObject } from '../../deploy/k8s/types.js';

interface Model { validate(): void }
const MODELS: Record<string, new (data: never) => Model> = {
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'batch/v1/Job': Job,
};

const BASE: RenderFlags = { hosts: '1m', shards: '8', image: 'registry.example/osqsim:0.1.0', startAt: '2026-12-05T12:00:00Z' };

function render(flags: Partial<RenderFlags> = {}): KubeObject[] {
  const text = renderYaml(renderOptionsFromFlags({ ...BASE, ...flags }));
  const documents = parseAllDocuments(text);
  for (const document of documents) expect(document.errors, 'the output is valid YAML').toEqual([]);
  return documents.map((document) => document.toJS() as KubeObject).filter((object) => object !== null);
}

const find = (objects: KubeObject[], kind: string, name?: string): KubeObject & { spec: any } =>
  objects.find((o) => o.kind === kind && (name === undefined || o.metadata?.name === name)) as KubeObject & { spec: any };

function validateAll(objects: KubeObject[]): void {
  for (const object of objects) {
    const Model = MODELS[`${object.apiVersion}/${object.kind}`];
    expect(Model, `a schema for ${object.apiVersion} ${object.kind}`).toBeDefined();
    expect(() => new Model!(object as never).validate(), `${object.kind}/${object.metadata?.name} validates`).not.toThrow();
  }
}

describe('osqsim k8s render', () => {
  it('validates every manifest against the Kubernetes schemas, bundled MySQL and existing MySQL alike', () => {
    const scenarioDir = mkdtempSync(join(tmpdir(), 'osqsim-k8s-'));
    writeFileSync(join(scenarioDir, 'policies.yml'), 'apiVersion: v1\nkind: policy\nspec:\n  name: Firewall\n  query: SELECT 1 FROM alf WHERE global_state >= 1;\n');
    writeFileSync(join(scenarioDir, 'run.yaml'), 'name: k8s\nfleet: builtin\nduration: 15m\npolicies:\n  file: policies.yml\n');
    for (const flags of [{}, { store: 'mysql://osqsim:secret@db.internal:3306/osqsim', namespace: 'load', resultsClaim: 'osqsim-results' }, { scenario: join(scenarioDir, 'run.yaml') }]) {
      const objects = render(flags);
      validateAll(objects);
      expect(objects.map((o) => o.kind)).toEqual(expect.arrayContaining(['Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Job', 'Secret']));
    }
  });

  it('the validation catches a broken manifest (so the test above can fail)', () => {
    const job = find(render(), 'Job');
    job.spec.completions = 'eight';
    expect(() => new Job(job as never).validate()).toThrow(/completions/);
  });

  it('renders the simulator as an Indexed Job: completions = parallelism = shards, one shard per index, one start', () => {
    const job = find(render(), 'Job');
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 8, parallelism: 8, backoffLimit: 0 });
    const container = job.spec.template.spec.containers[0];
    const args: string[] = container.args;
    expect(args[args.indexOf('--shard') + 1]).toBe('$(JOB_COMPLETION_INDEX)/8');
    expect(args[args.indexOf('--hosts') + 1]).toBe('1000000');
    expect(args[args.indexOf('--start-at') + 1]).toBe('2026-12-05T12:00:00.000Z');
    expect(args).toContain('--json');
    expect(container.env.map((e: { name: string }) => e.name)).toContain('JOB_COMPLETION_INDEX');
    expect(job.spec.activeDeadlineSeconds).toBeGreaterThan(600);
  });

  it('lets Prometheus scrape every shard and server pod on the port it listens on', () => {
    const objects = render({ metricsPort: '9100' });
    const job = find(objects, 'Job');
    const server = find(objects, 'Deployment');
    const jobPod = job.spec.template;
    expect(jobPod.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9100' });
    expect(jobPod.spec.containers[0].args.join(' ')).toContain('--metrics-port 9100');
    expect(jobPod.spec.containers[0].ports).toEqual([{ name: 'metrics', containerPort: 9100 }]);
    const serverPod = server.spec.template;
    expect(serverPod.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080', 'prometheus.io/path': '/metrics' });
    expect(serverPod.spec.containers[0].args.join(' ')).toContain('--port 8080');
  });

  it('bundles MySQL only without --store, and the server, HPA, PDB and Service agree on names and selectors', () => {
    const bundled = render();
    expect(find(bundled, 'StatefulSet', 'osqsim-mysql')).toBeDefined();
    const secret = find(bundled, 'Secret') as unknown as { stringData: Record<string, string> };
    expect(secret.stringData['store-url']).toMatch(/^mysql:\/\/osqsim:[^@]+@osqsim-mysql:3306\/osqsim$/);
    const external = render({ store: 'mysql://osqsim:pw@db.internal:3306/fleet' });
    expect(external.find((o) => o.kind === 'StatefulSet')).toBeUndefined();
    expect((find(external, 'Secret') as unknown as { stringData: Record<string, string> }).stringData['store-url']).toBe('mysql://osqsim:pw@db.internal:3306/fleet');
    const deployment = find(external, 'Deployment');
    const labels = deployment.spec.template.metadata.labels;
    expect(deployment.spec.selector.matchLabels).toEqual(labels);
    expect(find(external, 'Service', 'osqsim-server').spec.selector).toEqual(labels);
    expect(find(external, 'PodDisruptionBudget').spec.selector.matchLabels).toEqual(labels);
    expect(find(external, 'HorizontalPodAutoscaler').spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'osqsim-server' });
    // No password in the Deployment: it comes from the Secret through $(VAR) expansion.
    expect(JSON.stringify(deployment)).not.toContain('pw@');
  });

  it('puts the scenario and its policies in a ConfigMap the shards and the server mount', () => {
    const dir = mkdtempSync(join(tmpdir(), 'osqsim-k8s-'));
    writeFileSync(join(dir, 'p.yml'), 'apiVersion: v1\nkind: policy\nspec:\n  name: Disk\n  query: SELECT 1;\n');
    writeFileSync(join(dir, 's.yaml'), 'name: s\nfleet: builtin\nduration: 2m\npolicies:\n  file: p.yml\n');
    const objects = render({ scenario: join(dir, 's.yaml') });
    const config = find(objects, 'ConfigMap') as unknown as { data: Record<string, string> };
    expect(config.data['scenario.yaml']).not.toContain('file: p.yml');
    expect(config.data['policies.yml']).toContain('name: Disk');
    const args: string[] = find(objects, 'Job').spec.template.spec.containers[0].args;
    expect(args[args.indexOf('--scenario') + 1]).toBe('/etc/osqsim/scenario.yaml');
    expect(args[args.indexOf('--duration') + 1]).toBe('120s');
    expect(find(objects, 'Deployment').spec.template.spec.containers[0].args).toContain('/etc/osqsim/policies.yml');
  });

  it('refuses a scenario too large for a ConfigMap, and inlines a built-in one that fits', () => {
    const dir = mkdtempSync(join(tmpdir(), 'osqsim-k8s-'));
    const long = `SELECT 1 FROM processes WHERE name NOT IN (${Array.from({ length: 120 }, (_, i) => `'proc${i}'`).join(', ')});`;
    writeFileSync(join(dir, 'many.yml'), Array.from({ length: 900 }, (_, i) => `apiVersion: v1\nkind: policy\nspec:\n  name: P${i}\n  query: "${long}"\n`).join('---\n'));
    writeFileSync(join(dir, 'big.yaml'), 'name: big\nfleet: builtin\npolicies:\n  file: many.yml\n');
    expect(() => renderOptionsFromFlags({ ...BASE, scenario: join(dir, 'big.yaml') })).toThrow(/more than a ConfigMap holds \(1 MiB\)/);
    const cis = render({ scenario: 'cis-like' });
    validateAll(cis);
    expect((find(cis, 'ConfigMap') as unknown as { data: Record<string, string> }).data['policies.yml']!.length).toBeGreaterThan(100_000);
  });

  it('runs commands and flags the osqsim CLI has', async () => {
    const program = await buildProgram();
    const objects = render({ resultsClaim: 'results' });
    const commands: string[][] = [find(objects, 'Deployment').spec.template.spec.containers[0].args, find(objects, 'Job').spec.template.spec.containers[0].args];
    for (const argv of commands) {
      const command = program.commands.find((c: Command) => c.name() === argv[0])!;
      expect(command, argv[0]).toBeDefined();
      const known = new Set(command.options.flatMap((o) => [o.long, o.short]).filter(Boolean));
      for (const flag of argv.filter((a) => a.startsWith('--'))) {
        expect(known.has(flag), `osqsim ${argv[0]} has ${flag}`).toBe(true);
      }
    }
  });

  it('refuses bad input with a message and prints nothing', () => {
    const cases: Array<[Partial<RenderFlags>, RegExp]> = [
      [{ shards: '0' }, /--shards/],
      [{ hosts: '4', shards: '8' }, /more shards \(8\) than hosts \(4\)/],
      [{ store: 'memory' }, /must share one MySQL/],
      [{ startAt: 'tomorrow' }, /--start-at.*RFC 3339/],
      [{ image: 'no spaces allowed' }, /--image/],
      [{ serverReplicas: '5-2' }, /--server-replicas/],
      [{ namespace: 'Load_Test' }, /--namespace/],
      [{ scenario: '/nonexistent/scenario.yaml' }, /scenario/i],
    ];
    for (const [flags, message] of cases) {
      const out: string[] = [];
      const err: string[] = [];
      expect(renderCommand({ ...BASE, ...flags }, (t) => out.push(t), (t) => err.push(t)), JSON.stringify(flags)).toBe(2);
      expect(out).toEqual([]);
      expect(err.join('')).toMatch(message);
    }
  });
});
