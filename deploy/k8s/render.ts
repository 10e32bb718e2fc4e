/**
 * `osqsim k8s render`: every manifest of one run as multi-document YAML (pure: options → text).
 * The order is the order `kubectl apply -f` creates them in: Secret and ConfigMap first, the bundled
 * MySQL, the server, then the simulator Job.
 */
import { stringify } from 'yaml';
import { redactUrl } from '../../lib/redact.js';
import { metadata } from './common.js';
import { bundledStoreUrl, mysqlObjects } from './mysql.js';
import { serverObjects } from './server.js';
import { simulatorJob } from './simulator-job.js';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import { NAMES, type KubeObject, type RenderOptions } from './types.js';

export function renderObjects(options: RenderOptions): KubeObject[] {
  const store = options.store ?? bundledStoreUrl(options);
  const secret: ISecret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: metadata(NAMES.secret, 'config', options),
    type: 'Opaque',
    stringData: {
      'store-url': store,
      'enroll-secret': options.enrollSecret,
      'api-token': options.apiToken,
      ...(options.store === undefined ? { 'mysql-password': options.mysqlPassword, 'mysql-root-password': options.mysqlRootPassword } : {}),
    },
  };
  const scenario: IConfigMap[] = options.scenario
    ? [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: metadata(NAMES.scenario, 'config', options),
          data: {
            'scenario.yaml': options.scenario.yaml,
            ...(options.scenario.policiesYaml ? { 'policies.yml': options.scenario.policiesYaml } : {}),
          },
        },
      ]
    : [];
  return [secret, ...scenario, ...(options.store === undefined ? mysqlObjects(options) : []), ...serverObjects(options), simulatorJob(options)];
}

/** How to run and collect, printed as the YAML's leading comment so the output explains itself. */
export function renderHeader(options: RenderOptions): string {
  const ns = options.namespace !== undefined ? ` -n ${options.namespace}` : '';
  const perShard = Math.ceil(options.hosts / options.shards);
  const lines = [
    `osqsim on Kubernetes: ${options.hosts.toLocaleString('en-US')} hosts in ${options.shards} shards (≈ ${perShard.toLocaleString('en-US')} each),`,
    `server ${options.serverReplicas.min}–${options.serverReplicas.max} replicas on ${options.store !== undefined ? redactUrl(options.store) : 'a bundled MySQL (StatefulSet)'};`,
    `every shard starts at ${options.startAt} and runs ${options.duration}${options.scenario ? ` of ${options.scenario.source}` : ''}.`,
    '',
    `  kubectl apply${ns} -f manifests.yaml            # before ${options.startAt}`,
    `  kubectl wait${ns} --for=condition=complete job/${NAMES.job} --timeout=-1s`,
    `  kubectl logs${ns} -l job-name=${NAMES.job} --tail=-1 --max-log-requests=${options.shards} > shards.log`,
    '  osqsim report merge shards.log -o merged/result.json --render',
    ...(options.resultsClaim !== undefined ? [`  # or, from the volume ${options.resultsClaim}: osqsim report merge /path/to/${options.resultsClaim}/ -o merged/result.json`] : []),
    `  kubectl delete${ns} -f manifests.yaml`,
    '',
    'Each shard prints its result as one JSON line; `osqsim report merge` picks those lines out of the',
    'log (other lines are ignored) and refuses a missing or repeated shard.',
  ];
  return lines.map((line) => (line ? `# ${line}` : '#')).join('\n');
}

export function renderYaml(options: RenderOptions): string {
  const documents = renderObjects(options).map((object) => stringify(object, { lineWidth: 0, aliasDuplicateObjects: false }));
  return `${renderHeader(options)}\n---\n${documents.join('---\n')}`;
}
