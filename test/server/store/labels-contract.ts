/**
 * The LabelStore contract (labels, label membership, label-scoped policies): one suite run against
 * both stores (labels.memory.test.ts, labels.mysql.test.ts). `open` hands out a store holding only
 * the built-in labels.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILTIN_LABELS } from '../../../server/store/label-rules.js';
import type { HostIdentity, Store } from '../../../server/store/store.js';

export type OpenStore = () => Promise<Store>;

function identity(n: number, platform: string, osVersion = 'Ubuntu 22.04.4 LTS'): HostIdentity {
  return { osqueryHostId: `h-${n}`, platform, hostname: `h-${n}`, uuid: `u-${n}`, hardwareSerial: '', osVersion, osqueryVersion: '5.12.1' };
}

export function labelStoreContract(name: string, open: OpenStore): void {
  describe(`LabelStore contract: ${name}`, () => {
    let store: Store;
    const t0 = new Date('2026-01-02T03:04:05.000Z');
    const t1 = new Date('2026-01-02T04:04:05.000Z');

    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    const enroll = async (n: number, platform = 'ubuntu', osVersion?: string) =>
      (await store.enrollHost(identity(n, platform, osVersion), `key-${n}`, null, t0)).host;
    const builtin = async (labelName: string) => (await store.getLabelByName(labelName))!;

    it('seeds Fleet\'s built-in labels: dynamic, platform "", builtin type, in Fleet\'s order', async () => {
      const labels = await store.listLabels();
      expect(labels.map((l) => l.name)).toEqual(BUILTIN_LABELS.map((l) => l.name));
      for (const label of labels) {
        expect(label).toMatchObject({ labelType: 'builtin', membershipType: 'dynamic', platform: '', hostCount: 0 });
      }
      expect((await builtin('All Hosts')).query).toBe('select 1;');
    });

    it('creates, reads, renames and deletes a dynamic label; names are unique case-insensitively', async () => {
      const label = await store.createLabel({ name: 'Slack', query: 'SELECT 1 FROM apps', membershipType: 'dynamic', platform: 'darwin' });
      expect(label).toMatchObject({ name: 'Slack', query: 'SELECT 1 FROM apps', platform: 'darwin', labelType: 'regular', hostCount: 0, description: '' });
      expect(await store.getLabel(label.id)).toEqual(label);
      expect((await store.getLabelByName('slack'))?.id).toBe(label.id);
      await expect(store.createLabel({ name: 'SLACK', query: 'SELECT 1', membershipType: 'dynamic' })).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
      await expect(store.updateLabel(label.id, { name: 'all hosts' })).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
      const renamed = await store.updateLabel(label.id, { name: 'Slack app', description: 'has Slack' });
      expect(renamed).toMatchObject({ name: 'Slack app', description: 'has Slack', query: 'SELECT 1 FROM apps' });
      expect(await store.updateLabel(9999, { name: 'x' })).toBeUndefined();
      expect(await store.deleteLabel(label.id)).toBe(true);
      expect(await store.deleteLabel(label.id)).toBe(false);
      expect(await store.getLabel(label.id)).toBeUndefined();
    });

    it('manual labels keep the members they are given; an unknown host changes nothing', async () => {
      const a = await enroll(1);
      const b = await enroll(2);
      await expect(store.createLabel({ name: 'VIP', query: '', membershipType: 'manual', hostIds: [a.id, 9999] })).rejects.toMatchObject({
        code: 'STORE_NOT_FOUND',
      });
      expect(await store.getLabelByName('VIP')).toBeUndefined();
      const vip = await store.createLabel({ name: 'VIP', query: 'ignored', membershipType: 'manual', hostIds: [a.id] });
      expect(vip).toMatchObject({ query: '', membershipType: 'manual', hostCount: 1 });
      expect(await store.labelHostIds(vip.id)).toEqual([a.id]);
      await expect(store.updateLabel(vip.id, { hostIds: [b.id, 9999] })).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
      expect(await store.labelHostIds(vip.id)).toEqual([a.id]);
      await store.updateLabel(vip.id, { hostIds: [b.id, a.id] });
      expect(await store.labelHostIds(vip.id)).toEqual([a.id, b.id]);
      await store.updateLabel(vip.id, { description: 'members unchanged' });
      expect((await store.getLabel(vip.id))?.hostCount).toBe(2);
      await store.updateLabel(vip.id, { hostIds: [] });
      expect(await store.labelHostIds(vip.id)).toEqual([]);
      // Manual labels are never sent to hosts.
      expect((await store.labelQueriesForHost('ubuntu', '')).map((q) => q.id)).not.toContain(vip.id);
    });

    it('label queries for a host: dynamic labels of its platform or of all; rhel hosts naming CentOS count as centos', async () => {
      const mac = await store.createLabel({ name: 'mac only', query: 'SELECT 1', membershipType: 'dynamic', platform: 'darwin' });
      const centos = await store.createLabel({ name: 'centos only', query: 'SELECT 2', membershipType: 'dynamic', platform: 'centos' });
      const builtins = (await store.listLabels()).filter((l) => l.labelType === 'builtin').map((l) => l.id);
      expect((await store.labelQueriesForHost('darwin', 'macOS 14')).map((q) => q.id)).toEqual([...builtins, mac.id]);
      expect((await store.labelQueriesForHost('ubuntu', 'Ubuntu')).map((q) => q.id)).toEqual(builtins);
      expect((await store.labelQueriesForHost('rhel', 'CentOS Linux 7')).map((q) => q.id)).toEqual([...builtins, centos.id]);
      expect((await store.labelQueriesForHost('rhel', 'Red Hat Enterprise Linux 9')).map((q) => q.id)).toEqual(builtins);
      expect((await store.labelQueriesForHost('darwin', '')).find((q) => q.id === mac.id)?.query).toBe('SELECT 1');
    });

    it('records label results: members upserted, non-members and errors removed, unknown or foreign labels ignored, label_updated_at set', async () => {
      const host = await enroll(1, 'darwin', 'macOS 14.4');
      const all = await builtin('All Hosts');
      const macos = await builtin('macOS');
      const ubuntuOnly = await store.createLabel({ name: 'ubuntu only', query: 'SELECT 1', membershipType: 'dynamic', platform: 'ubuntu' });
      const manual = await store.createLabel({ name: 'hand-picked', query: '', membershipType: 'manual', hostIds: [] });
      expect(host.labelUpdatedAt === undefined || host.labelUpdatedAt.getTime() < t0.getTime()).toBe(true);
      await store.recordLabelResults({
        hostId: host.id,
        reportedAt: t0,
        results: [
          { labelId: macos.id, member: true },
          { labelId: all.id, member: true },
          { labelId: ubuntuOnly.id, member: true }, // not this host's platform: ignored
          { labelId: manual.id, member: true }, // manual: never set by a result
          { labelId: 999_999, member: true }, // unknown label: ignored, no error
        ],
      });
      expect(await store.hostLabelIds(host.id)).toEqual([all.id, macos.id]);
      expect((await store.getHost(host.id))?.labelUpdatedAt?.toISOString()).toBe(t0.toISOString());
      expect((await store.getLabel(macos.id))?.hostCount).toBe(1);
      await store.recordLabelResults({ hostId: host.id, reportedAt: t1, results: [{ labelId: macos.id, member: false }, { labelId: all.id, member: null }] });
      expect(await store.hostLabelIds(host.id)).toEqual([]);
      expect((await store.getHost(host.id))?.labelUpdatedAt?.toISOString()).toBe(t1.toISOString());
      // A label that no longer applies (its platform changed) is forced to "not a member", as Fleet does.
      const moving = await store.createLabel({ name: 'moving', query: 'SELECT 1', membershipType: 'dynamic' });
      await store.recordLabelResults({ hostId: host.id, reportedAt: t1, results: [{ labelId: moving.id, member: true }] });
      expect(await store.hostLabelIds(host.id)).toEqual([moving.id]);
      await store.applyLabelSpecs([{ name: 'moving', description: '', query: 'SELECT 1', platform: 'windows', membershipType: 'dynamic' }]);
      await store.recordLabelResults({ hostId: host.id, reportedAt: t1, results: [{ labelId: moving.id, member: true }] });
      expect(await store.hostLabelIds(host.id)).toEqual([]);
      // An unknown host: nothing happens.
      await store.recordLabelResults({ hostId: 999_999, reportedAt: t1, results: [{ labelId: all.id, member: true }] });
      expect(await store.labelHostIds(all.id)).toEqual([]);
    });

    it('deleting a label removes its membership and its policy scopes', async () => {
      const host = await enroll(1);
      const label = await store.createLabel({ name: 'L', query: 'SELECT 1', membershipType: 'dynamic' });
      await store.recordLabelResults({ hostId: host.id, reportedAt: t0, results: [{ labelId: label.id, member: true }] });
      const policy = await store.createPolicy({ teamId: null, name: 'p', query: 'SELECT 1', labelsIncludeAny: ['L'] });
      expect(policy.labelsIncludeAny).toEqual([{ id: label.id, name: 'L' }]);
      expect(await store.deleteLabel(label.id)).toBe(true);
      expect(await store.hostLabelIds(host.id)).toEqual([]);
      expect((await store.getPolicy(policy.id))?.labelsIncludeAny).toEqual([]);
    });

    it('applies label specs by name, all or nothing', async () => {
      const host = await enroll(1);
      await store.createLabel({ name: 'Existing', query: 'SELECT 1', membershipType: 'dynamic' });
      await expect(
        store.applyLabelSpecs([
          { name: 'New one', description: '', query: 'SELECT 2', platform: '', membershipType: 'dynamic' },
          { name: 'Manual', description: '', query: '', platform: '', membershipType: 'manual', hostIds: [9999] },
        ]),
      ).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
      expect(await store.getLabelByName('New one')).toBeUndefined();
      const applied = await store.applyLabelSpecs([
        { name: 'existing', description: 'now described', query: 'SELECT 3', platform: 'darwin', membershipType: 'dynamic' },
        { name: 'Manual', description: '', query: '', platform: '', membershipType: 'manual', hostIds: [host.id] },
      ]);
      expect(applied.map((l) => [l.name, l.query, l.platform, l.description])).toEqual([
        ['Existing', 'SELECT 3', 'darwin', 'now described'],
        ['Manual', '', '', ''],
      ]);
      expect(applied[1]!.hostCount).toBe(1);
    });

    describe('label-scoped policies', () => {
      it('stores labels_include_any / labels_exclude_any by name; an unknown name changes nothing', async () => {
        const a = await store.createLabel({ name: 'A', query: 'SELECT 1', membershipType: 'dynamic' });
        const b = await store.createLabel({ name: 'B', query: 'SELECT 1', membershipType: 'dynamic' });
        await expect(store.createPolicy({ teamId: null, name: 'p', query: 'SELECT 1', labelsIncludeAny: ['nope'] })).rejects.toMatchObject({
          code: 'STORE_NOT_FOUND',
        });
        expect(await store.listPolicies(null)).toEqual([]);
        const p = await store.createPolicy({ teamId: null, name: 'p', query: 'SELECT 1', labelsIncludeAny: ['b', 'A'], labelsExcludeAny: [] });
        expect(p.labelsIncludeAny).toEqual([{ id: a.id, name: 'A' }, { id: b.id, name: 'B' }]);
        expect((await store.getPolicy(p.id))?.labelsIncludeAny).toEqual(p.labelsIncludeAny);
        const unchanged = await store.updatePolicy(p.id, { description: 'x' });
        expect(unchanged?.labelsChanged ?? false).toBe(false);
        expect(unchanged?.policy.labelsIncludeAny).toEqual(p.labelsIncludeAny);
        await expect(store.updatePolicy(p.id, { labelsExcludeAny: ['nope'] })).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
        const moved = await store.updatePolicy(p.id, { labelsIncludeAny: [], labelsExcludeAny: ['A'] });
        expect(moved).toMatchObject({ labelsChanged: true });
        expect((await store.policiesForHost(null, 'linux'))[0]).toMatchObject({ labelsIncludeAny: [], labelsExcludeAny: [{ id: a.id, name: 'A' }] });
        // A renamed label is named by its new name.
        await store.updateLabel(a.id, { name: 'A2' });
        expect((await store.getPolicy(p.id))?.labelsExcludeAny).toEqual([{ id: a.id, name: 'A2' }]);
        // A spec states the whole policy: no lists = no scope.
        const [applied] = await store.applyPolicySpecs([{ teamId: null, name: 'p', query: 'SELECT 1' }]);
        expect(applied!.policy.labelsExcludeAny).toEqual([]);
      });

      it('clears membership rows of hosts outside a policy\'s label scope', async () => {
        const inside = await enroll(1);
        const outside = await enroll(2);
        const excluded = await enroll(3);
        const inc = await store.createLabel({ name: 'inc', query: '', membershipType: 'manual', hostIds: [inside.id, excluded.id] });
        await store.createLabel({ name: 'exc', query: '', membershipType: 'manual', hostIds: [excluded.id] });
        expect(inc.hostCount).toBe(2);
        const p = await store.createPolicy({ teamId: null, name: 'p', query: 'SELECT 1' });
        await store.recordPolicyResults(
          [inside, outside, excluded].map((h) => ({ hostId: h.id, results: [{ policyId: p.id, passes: true }], reportedAt: t0 })),
        );
        await store.updatePolicy(p.id, { labelsIncludeAny: ['inc'], labelsExcludeAny: ['exc'] });
        const removed = await store.clearPolicyMembershipOutsideLabels(p.id);
        expect(removed.map((c) => c.hostId).sort((x, y) => x - y)).toEqual([outside.id, excluded.id]);
        expect(removed[0]).toMatchObject({ policyId: p.id, before: true, after: undefined });
        expect(await store.getMembership(p.id, inside.id)).toBe(true);
        expect(await store.getMembership(p.id, outside.id)).toBeUndefined();
        expect(await store.clearPolicyMembershipOutsideLabels(p.id)).toEqual([]);
        // Counts are membership rows only: hosts outside the scope are in neither count.
        const counted = (await store.computePolicyCounts([p.id])).counts.find((c) => c.policyId === p.id && c.inheritedTeamId === null);
        expect(counted).toMatchObject({ passing: 1, failing: 0 });
      });

      it('a deleted host leaves its labels', async () => {
        const host = await enroll(1);
        const label = await store.createLabel({ name: 'm', query: '', membershipType: 'manual', hostIds: [host.id] });
        expect(await store.deleteHost(host.id)).toBeDefined();
        expect(await store.hostLabelIds(host.id)).toEqual([]);
        expect((await store.getLabel(label.id))?.hostCount).toBe(0);
      });
    });

    describe('whole-file apply (applySpecs) with labels', () => {
      const canary = { name: 'Canary', description: 'canary hosts', query: 'SELECT 1 FROM os_version', platform: '', membershipType: 'dynamic' as const };

      it('applies the labels first, in the same transaction, so the file\'s policies can be scoped to them', async () => {
        const outcome = await store.applySpecs({
          labels: [canary],
          policies: [{ teamId: null, name: 'canary policy', query: 'SELECT 1', labelsIncludeAny: ['canary'] }],
          queries: [{ teamId: null, name: 'canary report', query: 'SELECT 1', interval: 60 }],
        });
        expect(outcome.labels.map((l) => [l.name, l.membershipType, l.labelType])).toEqual([['Canary', 'dynamic', 'regular']]);
        const label = (await store.getLabelByName('Canary'))!;
        expect(outcome.policies[0]!.policy.labelsIncludeAny).toEqual([{ id: label.id, name: 'Canary' }]);
        expect(outcome.queries.map((q) => q.result)).toEqual(['created']);
        // Again: the label is updated in place, not duplicated.
        const again = await store.applySpecs({ labels: [{ ...canary, description: 'v2' }], policies: [], queries: [] });
        expect(again.labels[0]).toMatchObject({ id: label.id, description: 'v2' });
      });

      it('leaves no label applied when another part of the file fails', async () => {
        const labelsBefore = await store.listLabels();
        // An unknown team on a report (checked before anything is written).
        await expect(store.applySpecs({
          labels: [canary],
          policies: [],
          queries: [{ teamId: 4242, name: 'bad report', query: 'SELECT 1' }],
        })).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
        // A report name past the column (checked before the transaction).
        await expect(store.applySpecs({
          labels: [canary],
          policies: [],
          queries: [{ teamId: null, name: 'r'.repeat(5000), query: 'SELECT 1' }],
        })).rejects.toBeDefined();
        // A policy scoped to a label that exists nowhere (found after the labels were written: rolled back).
        await expect(store.applySpecs({
          labels: [canary],
          policies: [{ teamId: null, name: 'p', query: 'SELECT 1', labelsIncludeAny: ['Nowhere'] }],
          queries: [],
        })).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
        // A manual label naming an unknown host.
        await expect(store.applySpecs({
          labels: [canary, { name: 'VIP', description: '', query: '', platform: '', membershipType: 'manual', hostIds: [9999] }],
          policies: [{ teamId: null, name: 'p', query: 'SELECT 1' }],
          queries: [],
        })).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
        expect(await store.listLabels()).toEqual(labelsBefore);
        expect(await store.getLabelByName('Canary')).toBeUndefined();
        expect(await store.listAllPolicies()).toEqual([]);
        expect(await store.listQueries(null)).toEqual([]);
      });
    });
  });
}
