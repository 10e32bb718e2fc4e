/**
 * `osqsim k8s render --hosts N --shards M --image IMAGE [--store URL] [--scenario FILE]`: prints the
 * Kubernetes manifests of one run (deploy/k8s/) as YAML on stdout. Nothing is applied: pipe it to a
 * file, read it, `kubectl apply -f` it.
 */
import type { Command } from 'commander';
import { reportError } from '../lib/cli-usage.js';
import { EXIT } from '../lib/exit-codes.js';
import { renderOptionsFromFlags, type RenderFlags } from '../deploy/k8s/options.js';
import { renderYaml } from '../deploy/k8s/render.js';

export function renderCommand(flags: RenderFlags, out: (text: string) => void = (t) => process.stdout.write(t), err?: (text: string) => void): number {
  try {
    out(renderYaml(renderOptionsFromFlags(flags)));
    return EXIT.OK;
  } catch (error) {
    return reportError('osqsim k8s render', error, err);
  }
}

export function register(program: Command): void {
  const k8s = program.command('k8s').description('Kubernetes: manifests for runs larger than one machine');
  k8s
    .command('render')
    .description('Print the manifests of a run (server Deployment, Service, HPA, PDB; simulator Indexed Job; MySQL unless --store) as YAML')
    .requiredOption('--hosts <n>', 'hosts of the whole run (1m = 1,000,000)')
    .requiredOption('--shards <m>', 'simulator pods: completions and parallelism of the Indexed Job')
    .requiredOption('--image <image>', 'osqsim image every pod runs (built from the Dockerfile and pushed to your registry)')
    .option('--store <url>', 'mysql://user:password@host:3306/db of an existing MySQL (default: a bundled MySQL StatefulSet)')
    .option('--scenario <file>', 'scenario the shards run (put in a ConfigMap; its policies are loaded by the server)')
    .option('--namespace <name>', 'namespace of every object (default: kubectl\'s current one)')
    .option('--start-at <time>', 'shared start of every shard, RFC 3339 or epoch ms (default: --start-in from now)')
    .option('--start-in <duration>', 'start this long after rendering, rounded up to the minute', '5m')
    .option('--duration <duration>', 'run length (default: the scenario\'s, else 10m)')
    .option('--seed <n>', 'identity seed shared by every shard', '1')
    .option('--server-replicas <min[-max]>', 'server replicas: HPA minimum and maximum', '2-10')
    .option('--workers <n>', 'worker threads per shard pod (it requests as many CPUs)', '4')
    .option('--metrics-port <port>', 'port of each shard\'s Prometheus metrics (simulate --metrics-port)', '9464')
    .option('--results-claim <pvc>', 'ReadWriteMany PersistentVolumeClaim each shard also writes its result file into')
    .option('--enroll-secret <secret>', 'enroll secret (default: generated)')
    .action((flags: RenderFlags) => {
      // --start-in has a default; it only counts when --start-at is not given.
      const { startIn, ...rest } = flags;
      process.exitCode = renderCommand(flags.startAt !== undefined ? rest : { ...rest, startIn });
    });
}
