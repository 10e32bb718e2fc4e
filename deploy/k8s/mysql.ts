/**
 * A bundled MySQL for a run without `--store`: one StatefulSet replica with its own volume and a
 * headless Service, configured as docker-compose.yml's mysql service is (same image, buffer pool and
 * connection limit). For production-like figures point `--store` at the MySQL you run instead.
 */
import { labels, metadata, secretEnv } from './common.js';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { NAMES, type KubeObject, type RenderOptions } from './types.js';

export const MYSQL_DATABASE = 'osqsim';
export const MYSQL_USER = 'osqsim';

/** The store URL the server uses for the bundled MySQL. */
export function bundledStoreUrl(options: Pick<RenderOptions, 'mysqlPassword'>): string {
  return `mysql://${MYSQL_USER}:${encodeURIComponent(options.mysqlPassword)}@${NAMES.mysql}:${NAMES.mysqlPort}/${MYSQL_DATABASE}`;
}

export function mysqlObjects(options: RenderOptions): KubeObject[] {
  const selector = labels('mysql');
  const statefulSet: IStatefulSet = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: metadata(NAMES.mysql, 'mysql', options),
    spec: {
      serviceName: NAMES.mysql,
      replicas: 1,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: selector },
        spec: {
          containers: [
            {
              name: 'mysql',
              image: 'mysql:8.0',
              args: ['--innodb-buffer-pool-size=2G', '--max-connections=1000'],
              env: [
                secretEnv('MYSQL_ROOT_PASSWORD', 'mysql-root-password'),
                { name: 'MYSQL_DATABASE', value: MYSQL_DATABASE },
                { name: 'MYSQL_USER', value: MYSQL_USER },
                secretEnv('MYSQL_PASSWORD', 'mysql-password'),
              ],
              ports: [{ name: 'mysql', containerPort: NAMES.mysqlPort }],
              readinessProbe: {
                exec: { command: ['sh', '-c', 'mysqladmin ping -h 127.0.0.1 -uroot -p"$MYSQL_ROOT_PASSWORD" --silent'] },
                initialDelaySeconds: 10,
                periodSeconds: 5,
              },
              resources: { requests: { cpu: '2', memory: '4Gi' }, limits: { memory: '4Gi' } },
              volumeMounts: [{ name: 'data', mountPath: '/var/lib/mysql' }],
            },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } } },
        },
      ],
    },
  };
  const service: IService = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(NAMES.mysql, 'mysql', options),
    spec: { clusterIP: 'None', selector, ports: [{ name: 'mysql', port: NAMES.mysqlPort, targetPort: 'mysql' }] },
  };
  return [statefulSet, service];
}
