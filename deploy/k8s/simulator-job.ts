/**
 * The simulator as an Indexed Job, the pattern k6-operator uses for a test split across pods:
 * `completionMode: Indexed` with completions = parallelism = shards, so every shard runs at once and
 * each pod runs shard JOB_COMPLETION_INDEX of the run. Every shard is given the same --start-at, so
 * shards on different nodes share t = 0, and prints its result as one JSON line on stdout (read back
 * with `kubectl logs` and merged by `osqsim report merge`); with a results claim each also writes
 * its result file into the shared volume.
 */
import { parseDurationMs } from '../../lib/units.js';
import { labels, metadata, scrapeAnnotations, secretEnv } from './common.js';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import { NAMES, type RenderOptions } from './types.js';

/** The URL shards reach the servers at: the Service's cluster DNS name. */
export function serverUrl(): string {
  return `http://${NAMES.server}:${NAMES.serverPort}`;
}

/**
 * The shard's command line in the pod. `$(JOB_COMPLETION_INDEX)` and `$(OSQSIM_ENROLL_SECRET)` are
 * expanded by the kubelet from the container's env (Kubernetes' dependent-variable expansion), so one
 * pod template serves every index.
 */
export function simulatorArgs(options: RenderOptions): string[] {
  return [
    'simulate',
    '--target', serverUrl(),
    ...(options.scenario ? ['--scenario', `${NAMES.configDir}/scenario.yaml`] : []),
    '--hosts', String(options.hosts),
    '--shard', `$(JOB_COMPLETION_INDEX)/${options.shards}`,
    '--seed', String(options.seed),
    '--duration', options.duration,
    '--start-at', options.startAt,
    '--enroll-secret', '$(OSQSIM_ENROLL_SECRET)',
    '--workers', String(options.workersPerShard),
    '--metrics-port', String(options.metricsPort),
    '--json',
    '--no-progress',
    ...(options.resultsClaim !== undefined ? ['--out', `${NAMES.resultsDir}/shard-$(JOB_COMPLETION_INDEX).json`] : []),
  ];
}

/** Waits (bounded) until the server Service answers /healthz, so no shard starts against nothing. */
const WAIT_FOR_SERVER = [
  'const url = process.argv[1] + "/healthz";',
  'const until = Date.now() + 600000;',
  'const attempt = () => fetch(url).then((r) => r.ok, () => false).then((ok) => {',
  '  if (ok) process.exit(0);',
  '  if (Date.now() > until) { console.error("osqsim server not ready at " + url + " after 10 minutes"); process.exit(1); }',
  '  setTimeout(attempt, 2000);',
  '});',
  'attempt();',
].join('\n');

export function simulatorJob(options: RenderOptions): IJob {
  const durationS = Math.ceil(parseDurationMs(options.duration) / 1000);
  const volumes: IVolume[] = [
    ...(options.scenario ? [{ name: 'scenario', configMap: { name: NAMES.scenario } }] : []),
    ...(options.resultsClaim !== undefined ? [{ name: 'results', persistentVolumeClaim: { claimName: options.resultsClaim } }] : []),
  ];
  const mounts: IVolumeMount[] = [
    ...(options.scenario ? [{ name: 'scenario', mountPath: NAMES.configDir, readOnly: true }] : []),
    ...(options.resultsClaim !== undefined ? [{ name: 'results', mountPath: NAMES.resultsDir }] : []),
  ];
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: metadata(NAMES.job, 'simulator', options),
    spec: {
      completionMode: 'Indexed',
      completions: options.shards,
      parallelism: options.shards,
      // A shard started again would run its hosts a second time after the shared start: fail instead.
      backoffLimit: 0,
      // Never a hang: scheduling, image pulls and the wait for --start-at get 30 minutes beyond the run.
      activeDeadlineSeconds: durationS + 1800,
      template: {
        metadata: { labels: labels('simulator'), annotations: scrapeAnnotations(options.metricsPort) },
        spec: {
          restartPolicy: 'Never',
          // One shard per node where possible: shards on one node would share its CPUs.
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: labels('simulator') } } },
              ],
            },
          },
          initContainers: [
            { name: 'wait-for-server', image: options.image, command: ['node', '-e', WAIT_FOR_SERVER, serverUrl()] },
          ],
          containers: [
            {
              name: 'simulator',
              image: options.image,
              args: simulatorArgs(options),
              env: [
                // What the Job controller sets too; declared so $(JOB_COMPLETION_INDEX) in args always expands.
                { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } },
                secretEnv('OSQSIM_ENROLL_SECRET', 'enroll-secret'),
              ],
              ports: [{ name: 'metrics', containerPort: options.metricsPort }],
              resources: {
                requests: { cpu: String(options.workersPerShard), memory: `${Math.max(2, options.workersPerShard)}Gi` },
                limits: { memory: `${Math.max(4, options.workersPerShard * 2)}Gi` },
              },
              ...(mounts.length ? { volumeMounts: mounts } : {}),
            },
          ],
          ...(volumes.length ? { volumes } : {}),
        },
      },
    },
  };
}
