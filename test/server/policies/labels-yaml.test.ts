/** fleetctl `kind: label` documents (server/policies/labels-yaml.ts). */
import { describe, expect, it } from 'vitest';
import { parsePolicyYaml } from '../../../server/policies/fleetctl-yaml.js';
import { labelNamesUsed, parseLabelYaml } from '../../../server/policies/labels-yaml.js';

const FILE = `
apiVersion: v1
kind: label
spec:
  name: slack_not_running
  description: Slack is installed but not running
  query: SELECT 1 FROM apps WHERE name = 'Slack.app';
  platform: darwin
---
apiVersion: v1
kind: label
spec:
  name: VIPs
  label_membership_type: manual
  hosts: [ceo-laptop, cfo-laptop]
---
apiVersion: v1
kind: label
spec:
  name: All Hosts
  query: select 1;
  label_type: builtin
---
apiVersion: v1
kind: policy
spec:
  name: Slack up to date
  query: SELECT 1;
  labels_include_any: [slack_not_running]
  labels_exclude_any: [VIPs]
---
apiVersion: v1
kind: report
spec:
  name: r
  query: SELECT 1;
`;

describe('kind: label', () => {
  it('reads dynamic and manual labels, leaves unchanged built-ins alone, and the policy parser keeps its label lists', () => {
    const labels = parseLabelYaml(FILE);
    expect(labels.errors).toEqual([]);
    expect(labels.specs).toEqual([
      {
        name: 'slack_not_running',
        description: 'Slack is installed but not running',
        query: "SELECT 1 FROM apps WHERE name = 'Slack.app';",
        platform: 'darwin',
        membershipType: 'dynamic',
      },
      { name: 'VIPs', description: '', query: '', platform: '', membershipType: 'manual', hosts: ['ceo-laptop', 'cfo-laptop'] },
    ]);
    expect(labels.builtins).toEqual(['All Hosts']);
    const policies = parsePolicyYaml(FILE, 'f.yml');
    expect(policies.specs[0]).toMatchObject({ labelsIncludeAny: ['slack_not_running'], labelsExcludeAny: ['VIPs'] });
    expect(labelNamesUsed(policies.specs)).toEqual(['slack_not_running', 'VIPs']);
    // Labels, policies and reports are all served: nothing is skipped.
    expect(policies.skipped).toEqual([]);
    expect(policies.queries.map((q) => q.name)).toEqual(['r']);
  });

  it('reports every bad label document with its place', () => {
    const bad = parseLabelYaml(`
kind: label
spec:
  name: writes
  query: DELETE FROM users
---
kind: label
spec:
  name: vitals
  label_membership_type: host_vitals
---
kind: label
spec:
  name: macOS
  query: SELECT 2
---
kind: label
spec:
  name: ""
  query: SELECT 1
---
kind: label
spec:
  name: both
  query: SELECT 1
  hosts: [a]
---
kind: label
spec: nope
---
kind: label
spec:
  name: writes
  query: SELECT 1
  platform: amiga
`);
    const lines = bad.errors.map((e) => `${e.doc} ${e.path}: ${e.message}`);
    expect(lines).toEqual([
      expect.stringMatching(/^1 spec \(label "writes"\): invalid label query: only read-only/),
      expect.stringMatching(/^2 spec.label_membership_type: "host_vitals" is not supported/),
      '3 spec: cannot modify or add built-in label',
      '4 spec: missing required argument',
      expect.stringMatching(/^5 spec \(label "both"\): hosts can only be set on a manual label/),
      '6 spec: must be a mapping',
      expect.stringMatching(/^7 spec \(label "writes"\): invalid platform "amiga"/),
    ]);
    expect(bad.specs).toEqual([]);
    expect(parsePolicyYaml('kind: policy\nspec:\n  name: p\n  query: SELECT 1\n  labels_include_any: x\n', 'f').errors[0]).toMatchObject({
      path: 'spec.labels_include_any',
      message: 'must be a list of label names',
    });
  });

  it('a label named twice is an error', () => {
    const twice = parseLabelYaml('kind: label\nspec:\n  name: a\n  query: SELECT 1\n---\nkind: label\nspec:\n  name: A\n  query: SELECT 2\n');
    expect(twice.errors.map((e) => e.message)).toEqual(['label "A" appears twice']);
  });
});
