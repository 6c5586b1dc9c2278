// The objects the agent applies after install for the catalog, the operators and storage:
// pure functions of the site, the release's catalog record and the cluster's node names. Shapes
// from the APIs that define them (cited at each); test/agent/operators/objects.test.ts checks
// every one against the upstream CRD's OpenAPI schema (test/fixtures/crds/).
import type { OperatorCatalog } from '../../formats/operator-catalog.js';
import type { StorageProfile } from '../../site/model.js';

export type Obj = Record<string, unknown>;

export const MARKETPLACE = 'openshift-marketplace';
export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
// ODF runs its pods on the nodes carrying this label (ocs-operator's default node selector).
export const ODF_NODE_LABEL = 'cluster.ocs.openshift.io/openshift-storage';
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';
export const LVMS_DEVICE_CLASS = 'vg1';
// LVMS's thin pools: 90 % of each volume group, overprovisioned ten times (its sample's values).
export const THIN_OVERPROVISION = 10;
export const LOCALBLOCK = 'localblock';
export const ODF_CLUSTER = 'ocs-storagecluster';
export const ODF_CEPH_CLUSTER = 'ocs-storagecluster-cephcluster';
export const REGISTRY_CLAIM = 'image-registry-storage';
export const REGISTRY_NAMESPACE = 'openshift-image-registry';
// What OpenShift's image registry asks for by default (its docs: 100 GiB).
export const REGISTRY_SIZE = '100Gi';
// Where an operator without one of its own goes: the namespace every cluster has, with its
// global OperatorGroup (AllNamespaces install mode).
export const GLOBAL_OPERATORS = 'openshift-operators';

// config.openshift.io/v1 OperatorHub (openshift/api config/v1/types_operatorhub.go): the default
// sources reach for registry.redhat.io, which the site cannot.
export const disableDefaultSources = () => [{ op: 'add', path: '/spec/disableAllDefaultSources', value: true }];

// operators.coreos.com/v1alpha1 CatalogSource (operator-framework/api
// pkg/operators/v1alpha1/catalogsource_types.go), as oc-mirror writes it, on the bastion's registry.
export function catalogSource(catalog: OperatorCatalog, registry: string): Obj {
  return {
    apiVersion: 'operators.coreos.com/v1alpha1',
    kind: 'CatalogSource',
    metadata: { name: catalog.catalogSource, namespace: MARKETPLACE },
    spec: {
      sourceType: 'grpc',
      image: `${registry}/${catalog.mirror}`,
      displayName: 'fyr release catalog',
      publisher: 'fyr',
    },
  };
}

// The namespace each storage package installs into: LVM Storage's moved from openshift-storage
// to openshift-lvm-storage with 4.20 (lvm-operator ab05438, day2.md §5.2).
export function operatorNamespace(pkg: string, openshift: string): string {
  const [major, minor] = openshift.split('.').map(Number);
  if (pkg === 'lvms-operator') return major === 4 && (minor ?? 0) < 20 ? 'openshift-storage' : 'openshift-lvm-storage';
  if (pkg === 'local-storage-operator') return 'openshift-local-storage';
  if (pkg === 'odf-operator') return 'openshift-storage';
  return GLOBAL_OPERATORS;
}

export interface Subscribed {
  pkg: string;
  channel: string;
  csv: string;
  namespace: string;
}

// A namespace of its own gets the Namespace (monitoring on, as the LVMS and ODF docs ask) and
// an OperatorGroup watching only it (operators.coreos.com/v1 OperatorGroup, operator-framework/api
// pkg/operators/v1/operatorgroup_types.go); openshift-operators has both already.
export function subscriptionObjects(s: Subscribed, catalog: OperatorCatalog): Obj[] {
  const own = s.namespace !== GLOBAL_OPERATORS;
  return [
    ...(own
      ? [
          {
            apiVersion: 'v1',
            kind: 'Namespace',
            metadata: { name: s.namespace, labels: { 'openshift.io/cluster-monitoring': 'true' } },
          },
          {
            apiVersion: 'operators.coreos.com/v1',
            kind: 'OperatorGroup',
            metadata: { name: s.namespace, namespace: s.namespace },
            spec: { targetNamespaces: [s.namespace] },
          },
        ]
      : []),
    // operators.coreos.com/v1alpha1 Subscription (operator-framework/api
    // pkg/operators/v1alpha1/subscription_types.go): Manual, so a later catalog never upgrades
    // anything unasked; startingCSV pins the one the stick carries.
    {
      apiVersion: 'operators.coreos.com/v1alpha1',
      kind: 'Subscription',
      metadata: { name: s.pkg, namespace: s.namespace },
      spec: {
        name: s.pkg,
        channel: s.channel,
        source: catalog.catalogSource,
        sourceNamespace: MARKETPLACE,
        installPlanApproval: 'Manual',
        startingCSV: s.csv,
      },
    },
  ];
}

export interface StorageNodeOnCluster {
  // The node's name in the cluster.
  node: string;
  devices: readonly string[];
}

// lvm.topolvm.io/v1alpha1 LVMCluster (openshift/lvm-operator api/v1alpha1/lvmcluster_types.go):
// one device class per distinct disk list, limited to the nodes naming it (paths must exist on
// every selected node); the first is the default class. No disks named: LVMS takes every empty
// disk of every node.
export function lvmCluster(namespace: string, nodes: readonly StorageNodeOnCluster[]): Obj {
  const groups = new Map<string, { devices: readonly string[]; nodes: string[] }>();
  for (const n of nodes) {
    const key = n.devices.join('\n');
    const g = groups.get(key) ?? { devices: n.devices, nodes: [] };
    g.nodes.push(n.node);
    groups.set(key, g);
  }
  const classes = [...groups.values()].map((g, i) => ({
    name: i === 0 ? LVMS_DEVICE_CLASS : `vg${i + 1}`,
    default: i === 0,
    fstype: 'xfs',
    deviceSelector: { paths: [...g.devices] },
    nodeSelector: {
      nodeSelectorTerms: [{ matchExpressions: [{ key: HOSTNAME_LABEL, operator: 'In', values: [...g.nodes].sort() }] }],
    },
    thinPoolConfig: { name: 'thin-pool-1', sizePercent: 90, overprovisionRatio: THIN_OVERPROVISION },
  }));
  return {
    apiVersion: 'lvm.topolvm.io/v1alpha1',
    kind: 'LVMCluster',
    metadata: { name: 'lvmcluster', namespace },
    spec: {
      storage: {
        deviceClasses:
          classes.length > 0
            ? classes
            : [
                {
                  name: LVMS_DEVICE_CLASS,
                  default: true,
                  fstype: 'xfs',
                  thinPoolConfig: { name: 'thin-pool-1', sizePercent: 90, overprovisionRatio: THIN_OVERPROVISION },
                },
              ],
      },
    },
  };
}

// LVMS names its StorageClass after the device class (lvm-operator internal/controllers/lvmcluster/resource/topolvm_storageclass.go).
export const lvmsStorageClass = (deviceClass = LVMS_DEVICE_CLASS) => `lvms-${deviceClass}`;

// local.storage.openshift.io/v1alpha1 LocalVolumeSet (openshift/local-storage-operator
// api/v1alpha1/localvolumeset_types.go): the storage nodes' empty whole disks as block PVs in
// the localblock class, at most as many per node as the site names.
export function localVolumeSet(nodes: readonly StorageNodeOnCluster[]): Obj {
  return {
    apiVersion: 'local.storage.openshift.io/v1alpha1',
    kind: 'LocalVolumeSet',
    metadata: { name: 'local-block', namespace: 'openshift-local-storage' },
    spec: {
      nodeSelector: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: ODF_NODE_LABEL, operator: 'In', values: [''] }] }],
      },
      storageClassName: LOCALBLOCK,
      volumeMode: 'Block',
      maxDeviceCount: Math.max(1, ...nodes.map((n) => n.devices.length)),
      deviceInclusionSpec: { deviceTypes: ['disk'] },
    },
  };
}

// ocs.openshift.io/v1 StorageCluster (red-hat-storage/ocs-operator api/v1/storagecluster_types.go),
// internal-attached as the ODF docs deploy it on local disks: one device set of 3 replicas per
// disk each node brings. No manageNodes: ocs-operator dropped it (17d94e121), false before.
export function storageCluster(profile: StorageProfile, nodes: readonly StorageNodeOnCluster[]): Obj {
  const count = Math.max(1, Math.min(...nodes.map((n) => n.devices.length)));
  return {
    apiVersion: 'ocs.openshift.io/v1',
    kind: 'StorageCluster',
    metadata: { name: ODF_CLUSTER, namespace: 'openshift-storage' },
    spec: {
      monDataDirHostPath: '/var/lib/rook',
      resourceProfile: profile,
      storageDeviceSets: [
        {
          name: 'ocs-deviceset',
          count,
          replica: 3,
          portable: false,
          dataPVCTemplate: {
            spec: {
              storageClassName: LOCALBLOCK,
              volumeMode: 'Block',
              accessModes: ['ReadWriteOnce'],
              resources: { requests: { storage: '1' } },
            },
          },
        },
      ],
    },
  };
}

// The StorageClasses ODF makes (ocs-operator controllers/storagecluster/storageclasses.go):
// RBD block is the default; the registry wants a shared file system.
export const ODF_BLOCK_CLASS = 'ocs-storagecluster-ceph-rbd';
export const ODF_FILE_CLASS = 'ocs-storagecluster-cephfs';

// The image registry's claim: one replica on a ReadWriteOnce volume (LVMS), or two on a shared
// one (ODF's CephFS), as OpenShift's bare-metal registry storage docs configure it.
export function registryClaim(storageClass: string, shared: boolean): Obj {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: REGISTRY_CLAIM, namespace: REGISTRY_NAMESPACE },
    spec: {
      accessModes: [shared ? 'ReadWriteMany' : 'ReadWriteOnce'],
      volumeMode: 'Filesystem',
      storageClassName: storageClass,
      resources: { requests: { storage: REGISTRY_SIZE } },
    },
  };
}

// imageregistry.operator.openshift.io/v1 Config `cluster` (openshift/api imageregistry/v1/types.go):
// Managed on the claim; Recreate on a ReadWriteOnce volume (two pods cannot mount it).
export function registryPatch(shared: boolean): Obj {
  return {
    spec: {
      managementState: 'Managed',
      storage: { pvc: { claim: REGISTRY_CLAIM } },
      replicas: shared ? 2 : 1,
      rolloutStrategy: shared ? 'RollingUpdate' : 'Recreate',
    },
  };
}

export const defaultClassPatch = (isDefault: boolean): Obj => ({
  metadata: { annotations: { [DEFAULT_CLASS_ANNOTATION]: isDefault ? 'true' : 'false' } },
});

// ODF's storage nodes carry its label (added by merge patch of the Node).
export const odfNodePatch = (): Obj => ({ metadata: { labels: { [ODF_NODE_LABEL]: '' } } });

// One YAML stream of JSON documents: what `oc apply --filename` reads.
export const manifestText = (objects: readonly Obj[]) =>
  `${objects.map((o) => JSON.stringify(o, null, 2)).join('\n---\n')}\n`;
