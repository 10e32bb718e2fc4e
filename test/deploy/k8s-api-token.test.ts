/**
 * The Kubernetes server listens on 0.0.0.0, so it must be given its API token (the server refuses a
 * non-loopback --host without one, server/options/listen-guard.ts): the Deployment reads
 * OSQSIM_API_TOKEN from the rendered Secret, whose api-token is set.
 */
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { renderOptionsFromFlags } from '../../deploy/k8s/options.js';
import { renderYaml } from '../../deploy/k8s/render.js';

interface Container { args?: string[]; env?: Array<{ name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }> }
interface Obj { kind: string; metadata: { name: string }; stringData?: Record<string, string>; spec?: { template?: { spec?: { containers?: Container[] } } } }

describe('k8s: the server gets its API token', () => {
  it('listens on 0.0.0.0 with OSQSIM_API_TOKEN from the Secret, which sets a token', () => {
    const objects = parseAllDocuments(renderYaml(renderOptionsFromFlags({ hosts: '1000', shards: '2', image: 'registry.example/osqsim:0.1.0', startAt: '2026-12-05T12:00:00Z' }))).map((d) => d.toJS() as Obj);
    const server = objects.find((o) => o.kind === 'Deployment')!.spec!.template!.spec!.containers![0]!;
    const args = server.args ?? [];
    expect(args[args.indexOf('--host') + 1]).toBe('0.0.0.0');
    const ref = server.env!.find((e) => e.name === 'OSQSIM_API_TOKEN')!.valueFrom!.secretKeyRef!;
    const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === ref.name)!;
    expect(secret.stringData?.[ref.key]).toMatch(/^\S{16,}$/);
  });
});
