// Which nodes carry storage, which type a site gets when it names none, and what ODF needs of
// a node. Pure functions shared by normalize, the storage rules and (later) the agent.

export type StorageType = 'lvms' | 'odf' | 'none';
export type StorageProfile = 'lean' | 'balanced' | 'performance';
export type NodeRole = 'control-plane' | 'worker';

export interface Size {
  cpus: number;
  memoryGiB: number;
}

// ODF's resource profiles for the whole cluster (Red Hat's ODF planning guide, resource
// requirements; the same figures as IBM Fusion Data Foundation's): spread over 3 storage nodes.
export const ODF_PROFILES: Record<StorageProfile, Size> = {
  lean: { cpus: 24, memoryGiB: 72 },
  balanced: { cpus: 30, memoryGiB: 72 },
  performance: { cpus: 45, memoryGiB: 96 },
};

// OpenShift's own minimum per node (installation docs, minimum resource requirements); ODF's
// share comes on top of it.
export const OPENSHIFT_NODE_MINIMUM: Record<NodeRole, Size> = {
  'control-plane': { cpus: 4, memoryGiB: 16 },
  worker: { cpus: 2, memoryGiB: 8 },
};

// ODF keeps 3 replicas of everything, each on its own node.
export const ODF_MIN_NODES = 3;

// The operator packages each storage type subscribes to itself (OLM adds their dependencies).
export const STORAGE_PACKAGES: Record<StorageType, readonly string[]> = {
  lvms: ['lvms-operator'],
  odf: ['local-storage-operator', 'odf-operator'],
  none: [],
};

// What an ODF storage node needs: its third of the profile plus OpenShift's own minimum.
export function odfNodeMinimum(profile: StorageProfile, role: NodeRole): Size {
  const share = ODF_PROFILES[profile];
  const base = OPENSHIFT_NODE_MINIMUM[role];
  return {
    cpus: Math.ceil(share.cpus / ODF_MIN_NODES) + base.cpus,
    memoryGiB: Math.ceil(share.memoryGiB / ODF_MIN_NODES) + base.memoryGiB,
  };
}

// Whether a node runs workloads (and so storage pods): openshift-install makes control-plane
// nodes schedulable only when the cluster has no workers.
export function runsWorkloads(role: NodeRole, hasWorkers: boolean): boolean {
  return role === 'worker' || !hasWorkers;
}

// Whether storage takes disks on a node: one that runs workloads, or a control plane naming its
// own disks in a cluster with workers: a compact cluster that gained workers on day 2 keeps its
// control planes schedulable (openshift-install set mastersSchedulable when it had none).
export function takesStorage(
  node: { role: NodeRole; storageDevices?: readonly string[] },
  hasWorkers: boolean,
): boolean {
  return runsWorkloads(node.role, hasWorkers) || (node.storageDevices ?? []).length > 0;
}

// A node's storage disks: its own list, else the site's when it runs workloads.
export function nodeStorageDevices(
  node: { role: NodeRole; storageDevices?: readonly string[] },
  siteDevices: readonly string[],
  hasWorkers: boolean,
): string[] {
  if (node.storageDevices !== undefined) return [...node.storageDevices];
  return runsWorkloads(node.role, hasWorkers) ? [...siteDevices] : [];
}

// The type of a site whose file names none: LVM Storage on a single node; on more, ODF where 3
// nodes bring a disk, LVM Storage where fewer do, nothing where none do.
export function defaultStorageType(nodeCount: number, nodesWithDevices: number): StorageType {
  if (nodeCount === 1) return 'lvms';
  if (nodesWithDevices >= ODF_MIN_NODES) return 'odf';
  return nodesWithDevices > 0 ? 'lvms' : 'none';
}
