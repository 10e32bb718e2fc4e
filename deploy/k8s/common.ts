/** Labels, metadata and env references every osqsim manifest shares. */
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import { NAMES, type KubeMetadata, type RenderOptions } from './types.js';

export function labels(component: string): Record<string, string> {
  return { 'app.kubernetes.io/name': NAMES.app, 'app.kubernetes.io/component': component };
}

export function metadata(name: string, component: string, options: Pick<RenderOptions, 'namespace'>): KubeMetadata {
  return { name, ...(options.namespace !== undefined ? { namespace: options.namespace } : {}), labels: labels(component) };
}

/** An env var read from the run's Secret. */
export function secretEnv(name: string, key: string): IEnvVar {
  return { name, valueFrom: { secretKeyRef: { name: NAMES.secret, key } } };
}

/**
 * Pod annotations the common Prometheus setups (the community Helm chart's `kubernetes-pods` job)
 * read to scrape a pod: scrape it, on this port, at this path.
 */
export function scrapeAnnotations(port: number, path = '/metrics'): Record<string, string> {
  return { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port), 'prometheus.io/path': path };
}
