/**
 * The server as Kubernetes runs a stateless service (DESIGN §7): a Deployment of `osqsim server`
 * replicas on one MySQL, a Service in front (kube-proxy balances connections over the replicas), a
 * HorizontalPodAutoscaler on CPU and a PodDisruptionBudget so a node drain never takes every replica.
 * The store URL and secrets come from the run's Secret through `$(VAR)` expansion in args, so no
 * password is written into the Deployment.
 */
import { labels, metadata, scrapeAnnotations, secretEnv } from './common.js';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { NAMES, type KubeObject, type RenderOptions } from './types.js';

/** The server's command line in the pod (the image's ENTRYPOINT is `node bin/osqsim.js`). */
export function serverArgs(options: Pick<RenderOptions, 'scenario'>): string[] {
  return [
    'server',
    '--store', '$(OSQSIM_STORE_URL)',
    '--host', '0.0.0.0',
    '--port', String(NAMES.serverPort),
    '--enroll-secret', '$(OSQSIM_ENROLL_SECRET)',
    '--stats-strategy', 'cron',
    '--log-level', 'warn',
    ...(options.scenario?.policiesYaml ? ['--policies', `${NAMES.configDir}/policies.yml`] : []),
  ];
}

export function serverObjects(options: RenderOptions): KubeObject[] {
  const selector = labels('server');
  const port = NAMES.serverPort;
  const deployment: IDeployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(NAMES.server, 'server', options),
    spec: {
      replicas: options.serverReplicas.min,
      selector: { matchLabels: selector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: selector, annotations: scrapeAnnotations(port) },
        spec: {
          terminationGracePeriodSeconds: 30,
          containers: [
            {
              name: 'server',
              image: options.image,
              args: serverArgs(options),
              env: [
                secretEnv('OSQSIM_STORE_URL', 'store-url'),
                secretEnv('OSQSIM_ENROLL_SECRET', 'enroll-secret'),
                // Read by the server itself (server/options/schema.ts, --api-token's env).
                secretEnv('OSQSIM_API_TOKEN', 'api-token'),
              ],
              ports: [{ name: 'http', containerPort: port }],
              readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5, failureThreshold: 3 },
              livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 6 },
              // The HPA scales on CPU against the request; one replica is one Node event loop (≈ one core).
              resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '2Gi' } },
              ...(options.scenario?.policiesYaml ? { volumeMounts: [{ name: 'scenario', mountPath: NAMES.configDir, readOnly: true }] } : {}),
            },
          ],
          ...(options.scenario?.policiesYaml ? { volumes: [{ name: 'scenario', configMap: { name: NAMES.scenario } }] } : {}),
        },
      },
    },
  };
  const service: IService = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(NAMES.server, 'server', options),
    spec: { selector, ports: [{ name: 'http', port, targetPort: 'http' }] },
  };
  const autoscaler: IHorizontalPodAutoscaler = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: metadata(NAMES.server, 'server', options),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: NAMES.server },
      minReplicas: options.serverReplicas.min,
      maxReplicas: options.serverReplicas.max,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    },
  };
  const disruptionBudget: IPodDisruptionBudget = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: metadata(NAMES.server, 'server', options),
    spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
  };
  return [deployment, service, autoscaler, disruptionBudget];
}
