// The objects the agent applies for the catalog, operators and storage: each checked against
// its upstream CRD's OpenAPI schema (test/fixtures/crds/, test/helpers/crd.ts: an unknown field
// is a problem, as the API server would drop it silently), and the choices that matter as literals.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  catalogSource,
  defaultClassPatch,
  disableDefaultSources,
  localVolumeSet,
  lvmCluster,
  manifestText,
  registryClaim,
  registryPatch,
  storageCluster,
  subscriptionObjects,
} from '../../../src/agent/operators/objects.js';
import type { OperatorCatalog } from '../../../src/formats/operator-catalog.js';
import { crdProblems } from '../../helpers/crd.js';

const test = suite('agent :: operators :: objects');

const CATALOG: OperatorCatalog = {
  source: 'registry.redhat.io/redhat/redhat-operator-index:v4.18',
  mirror: 'redhat/redhat-operator-index:v4.18',
  catalogSource: 'cs-redhat-operator-index-v4-18',
  packages: [
    { name: 'lvms-operator', channel: 'stable-4.18', csv: 'lvms-operator.v4.18.3', version: '4.18.3', requested: true },
  ],
};
const BY_PATH = '/dev/disk/by-path/pci-0000:00:05.0';
const NVME = '/dev/disk/by-path/pci-0000:03:00.0-nvme-1';
const THREE = ['cp-0', 'cp-1', 'cp-2'].map((node) => ({ node, devices: [BY_PATH] }));

const valid = (o: Record<string, unknown>) => assert.equal(crdProblems(o), [], `${String(o.kind)} matches its CRD`);

test('the CatalogSource points at the bastion registry, as oc-mirror writes it', () => {
  const cs = catalogSource(CATALOG, 'bastion.edge.example.com:8443');
  valid(cs);
  assert.equal(cs, {
    apiVersion: 'operators.coreos.com/v1alpha1',
    kind: 'CatalogSource',
    metadata: { name: 'cs-redhat-operator-index-v4-18', namespace: 'openshift-marketplace' },
    spec: {
      sourceType: 'grpc',
      image: 'bastion.edge.example.com:8443/redhat/redhat-operator-index:v4.18',
      displayName: 'fyr release catalog',
      publisher: 'fyr',
    },
  });
  assert.equal(disableDefaultSources(), [{ op: 'add', path: '/spec/disableAllDefaultSources', value: true }]);
});

test('a subscription: its namespace and OperatorGroup, Manual approval, pinned to the carried CSV', () => {
  const objs = subscriptionObjects(
    { pkg: 'lvms-operator', channel: 'stable-4.18', csv: 'lvms-operator.v4.18.3', namespace: 'openshift-storage' },
    CATALOG,
  );
  assert.equal(
    objs.map((o) => o.kind),
    ['Namespace', 'OperatorGroup', 'Subscription'],
  );
  for (const o of objs.slice(1)) valid(o);
  assert.equal(objs[2]!.spec, {
    name: 'lvms-operator',
    channel: 'stable-4.18',
    source: 'cs-redhat-operator-index-v4-18',
    sourceNamespace: 'openshift-marketplace',
    installPlanApproval: 'Manual',
    startingCSV: 'lvms-operator.v4.18.3',
  });
  // openshift-operators has its global OperatorGroup already: only the Subscription.
  const global = subscriptionObjects(
    { pkg: 'web-terminal', channel: 'fast', csv: 'web-terminal.v1.12.1', namespace: 'openshift-operators' },
    CATALOG,
  );
  assert.equal(
    global.map((o) => o.kind),
    ['Subscription'],
  );
});

test('the LVMCluster: one device class on the nodes naming the same disks, the default; none named: every empty disk', () => {
  const same = lvmCluster('openshift-storage', THREE);
  valid(same);
  const classes = (same.spec as { storage: { deviceClasses: Array<Record<string, unknown>> } }).storage.deviceClasses;
  assert.is(classes.length, 1);
  assert.equal(classes[0], {
    name: 'vg1',
    default: true,
    fstype: 'xfs',
    deviceSelector: { paths: [BY_PATH] },
    nodeSelector: {
      nodeSelectorTerms: [
        { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['cp-0', 'cp-1', 'cp-2'] }] },
      ],
    },
    thinPoolConfig: { name: 'thin-pool-1', sizePercent: 90, overprovisionRatio: 10 },
  });
  const mixed = lvmCluster('openshift-storage', [...THREE.slice(0, 2), { node: 'cp-2', devices: [NVME] }]);
  valid(mixed);
  const two = (mixed.spec as { storage: { deviceClasses: Array<Record<string, unknown>> } }).storage.deviceClasses;
  assert.equal(
    two.map((c) => [c.name, c.default, (c.deviceSelector as { paths: string[] }).paths]),
    [
      ['vg1', true, [BY_PATH]],
      ['vg2', false, [NVME]],
    ],
  );
  const all = lvmCluster('openshift-storage', []);
  valid(all);
  assert.not.ok(JSON.stringify(all).includes('deviceSelector'));
});

test('ODF: LocalVolumeSet on the labelled nodes, StorageCluster with a device set per disk', () => {
  const lvs = localVolumeSet(THREE);
  valid(lvs);
  assert.is((lvs.spec as { maxDeviceCount: number }).maxDeviceCount, 1);
  const sc = storageCluster('lean', THREE);
  valid(sc);
  const set = (sc.spec as { storageDeviceSets: Array<Record<string, unknown>>; resourceProfile: string })
    .storageDeviceSets[0]!;
  assert.is((sc.spec as { resourceProfile: string }).resourceProfile, 'lean');
  assert.equal([set.count, set.replica, set.portable], [1, 3, false]);
  const two = storageCluster(
    'balanced',
    THREE.map((n) => ({ ...n, devices: [BY_PATH, NVME] })),
  );
  valid(two);
  assert.is((two.spec as { storageDeviceSets: Array<{ count: number }> }).storageDeviceSets[0]!.count, 2);
});

test('the image registry: one replica on a ReadWriteOnce claim (LVMS), two on a shared one (ODF)', () => {
  const config = {
    apiVersion: 'imageregistry.operator.openshift.io/v1',
    kind: 'Config',
    metadata: { name: 'cluster' },
  };
  valid({ ...config, ...registryPatch(false) });
  valid({ ...config, ...registryPatch(true) });
  assert.equal(registryPatch(false), {
    spec: {
      managementState: 'Managed',
      storage: { pvc: { claim: 'image-registry-storage' } },
      replicas: 1,
      rolloutStrategy: 'Recreate',
    },
  });
  assert.equal((registryClaim('lvms-vg1', false).spec as { accessModes: string[] }).accessModes, ['ReadWriteOnce']);
  assert.equal((registryClaim('ocs-storagecluster-cephfs', true).spec as { accessModes: string[] }).accessModes, [
    'ReadWriteMany',
  ]);
  assert.equal(defaultClassPatch(true), {
    metadata: { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
  });
});

test('a manifest file is a YAML stream of JSON documents', () => {
  assert.is(manifestText([{ a: 1 }, { b: 2 }]), '{\n  "a": 1\n}\n---\n{\n  "b": 2\n}\n');
});

test('the checker can fail: a wrong fstype is named', () => {
  const bad = lvmCluster('openshift-storage', THREE);
  (bad.spec as { storage: { deviceClasses: Array<Record<string, unknown>> } }).storage.deviceClasses[0]!.fstype =
    'btrfs';
  assert.match(crdProblems(bad).join('\n'), 'fstype');
});

test.run();
