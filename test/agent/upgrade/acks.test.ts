// Admin gates before a minor hop: the pending gates are those of the running minor not yet
// "true" in admin-acks; the site's upgrades.adminAcks are acknowledged through the real patch
// argv against the fake cluster (whose ClusterVersion then drops Upgradeable=False); any other
// stops the hop, quoting the gate, and a z-stream hop never looks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { AgentContext } from '../../../src/agent/context.js';
import { ackGates, isMinorUpdate, pendingGates, refusedGates } from '../../../src/agent/upgrade/acks.js';
import { oc } from '../../../src/agent/tools.js';
import { objects } from '../../doubles/cluster/index.mjs';
import { clusterContext, doubleCalls } from '../../helpers/cluster-context.js';

const GATE = 'ack-4.18-kube-1.32-api-removals-in-4.19';

test('pending gates: the running minor only, not yet acknowledged', () => {
  const gates = { [GATE]: 'APIs removed', 'ack-4.17-old-in-4.18': 'old', 'ack-4.18-a-in-4.19': 'a', 'not-a-gate': 'x' };
  assert.equal(pendingGates(gates, {}, '4.18.9'), [
    { key: 'ack-4.18-a-in-4.19', message: 'a' },
    { key: GATE, message: 'APIs removed' },
  ]);
  assert.equal(pendingGates(gates, { [GATE]: 'true', 'ack-4.18-a-in-4.19': 'false' }, '4.18.9'), [
    { key: 'ack-4.18-a-in-4.19', message: 'a' },
  ]);
  assert.equal(pendingGates(gates, {}, '4.19.2'), []);
  assert.ok(isMinorUpdate('4.18.9', '4.19.3'));
  assert.not.ok(isMinorUpdate('4.18.9', '4.18.12'));
});

test('the patch argv', () => {
  assert.equal(oc.ackAdminGate(GATE), [
    '--namespace',
    'openshift-config',
    'patch',
    'configmap',
    'admin-acks',
    '--type',
    'merge',
    '--patch',
    `{"data":{"${GATE}":"true"}}`,
  ]);
});

const upgradeable = (doubles: string) =>
  objects(doubles).clusterVersion.status.conditions.find((c: { type: string }) => c.type === 'Upgradeable');

test('against the fake cluster: refused unless the site allows it, then acknowledged once; a z-stream hop never looks', async () => {
  const c = await clusterContext();
  try {
    const ctx = c.ctx as AgentContext;
    ctx.site.upgrades = { allowUnsignedReleases: false, adminAcks: [] };
    assert.is(upgradeable(c.doubles)?.reason, 'AdminAckRequired');
    assert.equal(
      (await refusedGates(ctx, '4.18.9', '4.19.3')).map((g) => g.key),
      [GATE],
    );
    const seen: string[] = [];
    const progress = async (l: string) => void seen.push(l);
    const err = await ackGates(ctx, '4.18.9', '4.19.3', progress).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.ok(err, 'refused');
    assert.match(err!.message, `${GATE} ("Kubernetes 1.32 and therefore OpenShift 4.19 remove several APIs`);
    assert.match(err!.message, 'upgrades.adminAcks');
    await ackGates(ctx, '4.18.9', '4.18.12', progress);
    const patches = async () =>
      (await doubleCalls(c.doubles)).filter((a) => a.includes('admin-acks') && a.includes('patch'));
    assert.equal(await patches(), []);
    ctx.site.upgrades.adminAcks = [GATE];
    await ackGates(ctx, '4.18.9', '4.19.3', progress);
    assert.equal(seen, [`acknowledging ${GATE}, as the site file allows (upgrades.adminAcks)`]);
    assert.is((await patches()).length, 1);
    const acks = objects(c.doubles).configMaps.find(
      (m) => m.metadata.namespace === 'openshift-config' && m.metadata.name === 'admin-acks',
    );
    assert.equal(acks?.data, { [GATE]: 'true' });
    // Acknowledged: nothing pending, and at its next look the cluster no longer holds minor updates.
    assert.equal(await refusedGates(ctx, '4.18.9', '4.19.3'), []);
    await ackGates(ctx, '4.18.9', '4.19.3', progress);
    assert.is((await patches()).length, 1, 'acknowledged once');
    assert.is(upgradeable(c.doubles), undefined, 'Upgradeable=False is gone');
  } finally {
    await c.close();
  }
});

test.run();
