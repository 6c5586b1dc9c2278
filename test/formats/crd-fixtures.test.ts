// The vendored upstream CRD schemas (test/fixtures/crds/) and test/helpers/crd.ts's check against
// them: the minimal objects the agent's operators phase creates pass, and a wrong enum, a wrong
// type, an unknown field, a missing required field or name or namespace each give a clear problem.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertCrdValid, crdProblems, VENDORED_CRDS } from '../helpers/crd.js';

type Obj = Record<string, any>;

const LVM_CLUSTER = (): Obj => ({
  apiVersion: 'lvm.topolvm.io/v1alpha1',
  kind: 'LVMCluster',
  metadata: { name: 'lvmcluster', namespace: 'openshift-lvm-storage' },
  spec: {
    storage: {
      deviceClasses: [
        {
          name: 'vg1',
          default: true,
          fstype: 'xfs',
          deviceSelector: {
            paths: ['/dev/disk/by-path/pci-0000:00:1f.2-ata-2'],
            forceWipeDevicesAndDestroyAllData: false,
          },
          thinPoolConfig: { name: 'thin-pool-1', sizePercent: 90, overprovisionRatio: 10 },
        },
      ],
    },
  },
});

const STORAGE_CLUSTER = (): Obj => ({
  apiVersion: 'ocs.openshift.io/v1',
  kind: 'StorageCluster',
  metadata: { name: 'ocs-storagecluster', namespace: 'openshift-storage' },
  spec: {
    monDataDirHostPath: '/var/lib/rook',
    resourceProfile: 'balanced',
    storageDeviceSets: [
      {
        name: 'ocs-deviceset',
        count: 1,
        replica: 3,
        portable: false,
        dataPVCTemplate: {
          spec: {
            storageClassName: 'localblock',
            volumeMode: 'Block',
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: '1' } },
          },
        },
      },
    ],
  },
});

const LOCAL_VOLUME_SET = (): Obj => ({
  apiVersion: 'local.storage.openshift.io/v1alpha1',
  kind: 'LocalVolumeSet',
  metadata: { name: 'local-block', namespace: 'openshift-local-storage' },
  spec: {
    nodeSelector: {
      nodeSelectorTerms: [
        { matchExpressions: [{ key: 'cluster.ocs.openshift.io/openshift-storage', operator: 'Exists' }] },
      ],
    },
    storageClassName: 'localblock',
    volumeMode: 'Block',
    maxDeviceCount: 1,
    deviceInclusionSpec: {
      deviceTypes: ['disk', 'part'],
      deviceMechanicalProperties: ['NonRotational'],
      minSize: '10Gi',
    },
  },
});

const SUBSCRIPTION = (): Obj => ({
  apiVersion: 'operators.coreos.com/v1alpha1',
  kind: 'Subscription',
  metadata: { name: 'lvms-operator', namespace: 'openshift-lvm-storage' },
  spec: {
    name: 'lvms-operator',
    channel: 'stable-4.18',
    source: 'cs-redhat-operator-index-v4-18',
    sourceNamespace: 'openshift-marketplace',
    installPlanApproval: 'Manual',
    startingCSV: 'lvms-operator.v4.18.3',
  },
});

const OPERATOR_GROUP = (): Obj => ({
  apiVersion: 'operators.coreos.com/v1',
  kind: 'OperatorGroup',
  metadata: { name: 'openshift-lvm-storage', namespace: 'openshift-lvm-storage' },
  spec: { targetNamespaces: ['openshift-lvm-storage'] },
});

const CATALOG_SOURCE = (): Obj => ({
  apiVersion: 'operators.coreos.com/v1alpha1',
  kind: 'CatalogSource',
  metadata: { name: 'cs-redhat-operator-index-v4-18', namespace: 'openshift-marketplace' },
  spec: {
    sourceType: 'grpc',
    image: 'bastion.edge.example.com:8443/redhat/redhat-operator-index:v4.18',
    displayName: 'Red Hat operators (from the stick)',
    publisher: 'fyr',
  },
});

const INSTALL_PLAN = (): Obj => ({
  apiVersion: 'operators.coreos.com/v1alpha1',
  kind: 'InstallPlan',
  metadata: { name: 'install-abcde', namespace: 'openshift-lvm-storage' },
  spec: { approval: 'Manual', approved: true, clusterServiceVersionNames: ['lvms-operator.v4.18.3'] },
});

// What `oc patch OperatorHub cluster --type json -p '[{"op":"add","path":"/spec/disableAllDefaultSources","value":true}]'` leaves.
const OPERATOR_HUB = (): Obj => ({
  apiVersion: 'config.openshift.io/v1',
  kind: 'OperatorHub',
  metadata: { name: 'cluster' },
  spec: { disableAllDefaultSources: true },
});

const IMAGE_REGISTRY = (): Obj => ({
  apiVersion: 'imageregistry.operator.openshift.io/v1',
  kind: 'Config',
  metadata: { name: 'cluster' },
  spec: {
    managementState: 'Managed',
    replicas: 1,
    rolloutStrategy: 'Recreate',
    storage: { pvc: { claim: '' } },
  },
});

const VALID: Record<string, () => Obj> = {
  LVMCluster: LVM_CLUSTER,
  StorageCluster: STORAGE_CLUSTER,
  LocalVolumeSet: LOCAL_VOLUME_SET,
  Subscription: SUBSCRIPTION,
  OperatorGroup: OPERATOR_GROUP,
  CatalogSource: CATALOG_SOURCE,
  InstallPlan: INSTALL_PLAN,
  OperatorHub: OPERATOR_HUB,
  Config: IMAGE_REGISTRY,
};

test('crds :: one vendored file per kind, each naming its source at a full commit', () => {
  assert.equal([...VENDORED_CRDS.keys()].sort(), [
    'config.openshift.io/v1 OperatorHub',
    'imageregistry.operator.openshift.io/v1 Config',
    'local.storage.openshift.io/v1alpha1 LocalVolumeSet',
    'lvm.topolvm.io/v1alpha1 LVMCluster',
    'ocs.openshift.io/v1 StorageCluster',
    'operators.coreos.com/v1 OperatorGroup',
    'operators.coreos.com/v1alpha1 CatalogSource',
    'operators.coreos.com/v1alpha1 InstallPlan',
    'operators.coreos.com/v1alpha1 Subscription',
  ]);
  for (const crd of VENDORED_CRDS.values()) {
    assert.match(crd.source, /^[\w.-]+\/[\w.-]+@[0-9a-f]{40}:\S+\.yaml$/, crd.kind);
    assert.ok(['Namespaced', 'Cluster'].includes(crd.scope), crd.kind);
  }
});

for (const [kind, make] of Object.entries(VALID)) {
  test(`crds :: a minimal ${kind} is valid`, () => {
    assert.equal(crdProblems(make()), []);
    assertCrdValid(make());
  });
}

test('crds :: a wrong enum value', () => {
  const o = LVM_CLUSTER();
  o['spec'].storage.deviceClasses[0].fstype = 'btrfs';
  assert.equal(crdProblems(o), [
    'spec.storage.deviceClasses[0].fstype: must be equal to one of the allowed values (xfs, ext4), not "btrfs"',
  ]);
});

test('crds :: a wrong type', () => {
  const o = STORAGE_CLUSTER();
  o['spec'].storageDeviceSets[0].replica = '3';
  assert.equal(crdProblems(o), ['spec.storageDeviceSets[0].replica: must be integer, not "3"']);
});

test('crds :: an unknown field is a problem, though the API server would prune it silently', () => {
  const o = LVM_CLUSTER();
  o['spec'].storage.deviceClasses[0].deviceSelector.path = ['/dev/sdb'];
  assert.equal(crdProblems(o), [
    "spec.storage.deviceClasses[0].deviceSelector.path: unknown field (not in the CRD's schema; the API server would silently prune it)",
  ]);
  // manageNodes left StorageClusterSpec in ocs-operator 4.20 (commit 17d94e121): pruned since.
  const s = STORAGE_CLUSTER();
  s['spec'].manageNodes = false;
  assert.equal(crdProblems(s), [
    "spec.manageNodes: unknown field (not in the CRD's schema; the API server would silently prune it)",
  ]);
  // Unknown metadata too; labels and annotations take any keys.
  const h = OPERATOR_HUB();
  h['metadata'].labels = { 'example.com/x': 'y' };
  h['metadata'].label = { a: 'b' };
  assert.equal(crdProblems(h), [
    "metadata.label: unknown field (not in the CRD's schema; the API server would silently prune it)",
  ]);
});

test('crds :: where the schema keeps unknown fields (x-kubernetes-preserve-unknown-fields), they pass', () => {
  const o = IMAGE_REGISTRY();
  o['spec'].unsupportedConfigOverrides = { anything: { at: 'all' } };
  assert.equal(crdProblems(o), []);
});

test('crds :: quantities are int-or-string: "10Gi" and 1 pass, "10 GB" and true do not', () => {
  const o = LOCAL_VOLUME_SET();
  o['spec'].deviceInclusionSpec.minSize = 1;
  assert.equal(crdProblems(o), []);
  o['spec'].deviceInclusionSpec.minSize = '10 GB';
  assert.equal(crdProblems(o), [
    'spec.deviceInclusionSpec.minSize: must match pattern "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$" ("10 GB")',
  ]);
  o['spec'].deviceInclusionSpec.minSize = true;
  assert.equal(crdProblems(o), ['spec.deviceInclusionSpec.minSize: must be integer or string, not true']);
});

test('crds :: a missing required field, name or namespace', () => {
  const s = STORAGE_CLUSTER();
  delete s['spec'].storageDeviceSets[0].count;
  assert.equal(crdProblems(s), ['spec.storageDeviceSets[0].count: is required']);

  const sub = SUBSCRIPTION();
  delete sub['metadata'].namespace;
  delete sub['spec'].sourceNamespace;
  assert.equal(crdProblems(sub), [
    'metadata.namespace: is required (Subscription is namespaced)',
    'spec.sourceNamespace: is required',
  ]);

  const hub = OPERATOR_HUB();
  hub['metadata'] = { namespace: 'openshift-marketplace' };
  assert.equal(crdProblems(hub), [
    'metadata.name: is required',
    'metadata.namespace: must not be set (OperatorHub is cluster-scoped)',
  ]);

  const cs = CATALOG_SOURCE();
  cs['metadata'].name = 'Redhat_Operators';
  assert.equal(crdProblems(cs), [
    "metadata.name: must be a DNS-1123 subdomain (lower case, digits, '-', '.'), not \"Redhat_Operators\"",
  ]);
});

test('crds :: list-type map keys must be unique', () => {
  const o = LVM_CLUSTER();
  o['spec'].storage.deviceClasses.push({ ...o['spec'].storage.deviceClasses[0], default: false });
  assert.equal(crdProblems(o), [
    'spec.storage.deviceClasses: duplicate entries (list-type map keyed by name): ["vg1"]',
  ]);
});

test('crds :: an unknown kind, a non-object', () => {
  assert.equal(crdProblems({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } }), [
    'no vendored CRD for v1 Namespace',
  ]);
  assert.equal(crdProblems(null), ['(root): must be an object']);
});

test('crds :: assertCrdValid throws with every problem', () => {
  const o = STORAGE_CLUSTER();
  o['spec'].storageDeviceSets[0].replica = '3';
  o['spec'].resourceProfile = 'huge';
  assert.throws(
    () => assertCrdValid(o),
    (e: Error) =>
      e.message.startsWith('StorageCluster ocs-storagecluster is not valid against its CRD:\n') &&
      e.message.includes('  spec.storageDeviceSets[0].replica: must be integer, not "3"') &&
      e.message.includes('  spec.resourceProfile: must be equal to one of the allowed values'),
  );
});

test.run();
