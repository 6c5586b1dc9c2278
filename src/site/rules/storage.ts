// Rules about storage: which disks it takes (stable, never the install disk, each once) and
// what ODF needs (3 nodes that run workloads, each with a disk, and the CPUs and memory of its
// profile where the file gives node sizes). The form of a device path is the schema's.
import { installDevice } from '../install-device.js';
import type { PathSegment } from '../path.js';
import { formatPath } from '../path.js';
import type { SiteInput } from '../schema.js';
import {
  nodeStorageDevices,
  ODF_MIN_NODES,
  odfNodeMinimum,
  ODF_PROFILES,
  OPENSHIFT_NODE_MINIMUM,
  runsWorkloads,
  takesStorage,
} from '../storage.js';
import type { StorageProfile } from '../storage.js';
import type { Rule } from './context.js';

type NodeInput = SiteInput['nodes'][number];

// One node's disks and where the file wrote them: its own storageDevices or storage.devices.
interface NodeDevices {
  index: number;
  node: NodeInput;
  devices: string[];
  listPath: PathSegment[];
}

function devicesByNode(input: SiteInput): NodeDevices[] {
  const hasWorkers = input.nodes.some((n) => n.role === 'worker');
  const siteDevices = input.storage?.devices ?? [];
  return input.nodes.map((node, index) => ({
    index,
    node,
    devices: nodeStorageDevices(node, siteDevices, hasWorkers),
    listPath: node.storageDevices === undefined ? ['storage', 'devices'] : ['nodes', index, 'storageDevices'],
  }));
}

function names(list: string[]): string {
  return list.length === 1 ? list[0]! : `${list.slice(0, -1).join(', ')} and ${list.at(-1)!}`;
}

// Storage wipes its disks: a disk RHCOS is installed on is never one of them.
export const storageAvoidsInstallDisks: Rule = ({ site, input, report }) => {
  if (site.storage.type === 'none') return;
  const hits = new Map<string, { path: PathSegment[]; device: string; nodes: string[] }>();
  for (const { index, node, devices, listPath } of devicesByNode(input)) {
    const install = installDevice(site.nodes[index]!);
    const at = devices.indexOf(install ?? '');
    if (install === undefined || at < 0) continue;
    const path = [...listPath, at];
    const key = formatPath(path);
    const hit = hits.get(key) ?? { path, device: install, nodes: [] };
    hit.nodes.push(node.name);
    hits.set(key, hit);
  }
  for (const { path, device, nodes } of hits.values()) {
    report({
      code: 'STORAGE_INSTALL_DISK',
      path,
      message: `${device} is the install disk of node${nodes.length === 1 ? '' : 's'} ${names(nodes)}: storage would wipe the disk RHCOS runs from`,
      expected: 'a disk other than the install disk',
    });
  }
};

// Each disk once: twice in one list, or one by-id name (a disk's serial number or WWN, so one
// physical disk) on several nodes, is a copy-paste slip.
export const storageDevicesAreDistinct: Rule = ({ site, input, report }) => {
  if (site.storage.type === 'none') return;
  const lists: Array<{ path: PathSegment[]; devices: string[] }> = [
    { path: ['storage', 'devices'], devices: input.storage?.devices ?? [] },
    ...input.nodes.map((n, i) => ({ path: ['nodes', i, 'storageDevices'], devices: n.storageDevices ?? [] })),
  ];
  for (const { path, devices } of lists) {
    devices.forEach((device, j) => {
      const first = devices.indexOf(device);
      if (first === j) return;
      report({
        code: 'STORAGE_DEVICE_DUPLICATE',
        path: [...path, j],
        message: `${device} is already listed at ${formatPath([...path, first])}`,
        expected: 'each disk once',
      });
    });
  }
  // A by-id name on several nodes: reported once per place it is written.
  const byId = new Map<string, { path: PathSegment[]; device: string; nodes: string[] }>();
  for (const { node, devices, listPath } of devicesByNode(input)) {
    devices.forEach((device, j) => {
      if (!device.startsWith('/dev/disk/by-id/') || devices.indexOf(device) !== j) return;
      const entry = byId.get(device) ?? { path: [...listPath, j], device, nodes: [] };
      entry.nodes.push(node.name);
      byId.set(device, entry);
    });
  }
  for (const { path, device, nodes } of byId.values()) {
    if (nodes.length < 2) continue;
    report({
      code: 'STORAGE_DEVICE_DUPLICATE',
      path,
      message: `${device} names one physical disk (by its serial number or WWN), yet ${names(nodes)} would each take it`,
      expected:
        "by-path names (the same slot on each node) in storage.devices, or each node's own by-id names in its storageDevices",
    });
  }
};

// With workers at install, openshift-install leaves control planes unschedulable: storage there
// is unused unless the cluster was installed without workers (a compact cluster grown on day 2
// keeps them schedulable). fyr cannot know which: a warning.
export const storageOnWorkloadNodes: Rule = ({ site, input, report }) => {
  if (site.storage.type === 'none') return;
  const hasWorkers = input.nodes.some((n) => n.role === 'worker');
  input.nodes.forEach((node, i) => {
    if (runsWorkloads(node.role, hasWorkers) || (node.storageDevices ?? []).length === 0) return;
    report({
      severity: 'warning',
      code: 'STORAGE_NODE_NO_WORKLOADS',
      path: ['nodes', i, 'storageDevices'],
      message: `node ${node.name} is a control plane in a cluster with workers: it runs workloads, and storage, only if the cluster was installed without workers (openshift-install then leaves control planes schedulable, as they stay when workers are added later)`,
      expected: 'storageDevices on the workers, or on the control planes of a compact cluster that gained workers',
    });
  });
};

// ODF keeps 3 replicas of everything, each on its own node, on disks of its own.
export const odfHasThreeStorageNodes: Rule = ({ site, input, report }) => {
  if (site.storage.type !== 'odf') return;
  const hasWorkers = input.nodes.some((n) => n.role === 'worker');
  const workloads = devicesByNode(input).filter((d) => takesStorage(d.node, hasWorkers));
  if (workloads.length < ODF_MIN_NODES) {
    const count = input.nodes.length;
    report({
      code: 'STORAGE_NODE_COUNT',
      path: ['storage', 'type'],
      message:
        count < ODF_MIN_NODES
          ? `ODF keeps ${ODF_MIN_NODES} replicas, each on its own node, and the site has ${count} node${count === 1 ? '' : 's'}`
          : `ODF keeps ${ODF_MIN_NODES} replicas, each on its own node that runs workloads, and only the site's ${workloads.length} worker${workloads.length === 1 ? '' : 's'} do (control planes take workloads only without workers)`,
      expected: `storage.type lvms, or at least ${ODF_MIN_NODES} nodes that run workloads`,
    });
    return;
  }
  const carrying = workloads.filter((d) => d.devices.length > 0).length;
  if (carrying >= ODF_MIN_NODES) return;
  for (const { index, node, devices } of workloads) {
    if (devices.length > 0) continue;
    report({
      code: 'STORAGE_DEVICE_MISSING',
      path: node.storageDevices === undefined ? ['nodes', index] : ['nodes', index, 'storageDevices'],
      message: `node ${node.name} names no storage device, so only ${carrying} node${carrying === 1 ? '' : 's'} can hold ODF's ${ODF_MIN_NODES} replicas`,
      expected: 'storageDevices on this node, or storage.devices for every node',
    });
  }
};

// Where the file gives a storage node's size, it has ODF's share of its profile on top of
// OpenShift's own minimum.
export const odfNodesAreLargeEnough: Rule = ({ site, input, report }) => {
  const { type, profile, defaulted } = site.storage;
  if (type !== 'odf') return;
  const carrying = new Set(site.storage.nodes.map((n) => n.name));
  input.nodes.forEach((node, i) => {
    if (!carrying.has(node.name)) return;
    const need = odfNodeMinimum(profile, node.role);
    const base = OPENSHIFT_NODE_MINIMUM[node.role];
    const role = node.role === 'worker' ? 'a worker' : 'a control-plane node';
    const why = defaulted ? ` (odf is the default for ${ODF_MIN_NODES} or more nodes with disks)` : '';
    for (const [key, unit] of [
      ['cpus', 'CPUs'],
      ['memoryGiB', 'GiB of memory'],
    ] as const) {
      const has = node[key];
      if (has === undefined || has >= need[key]) continue;
      const leaner = leanerProfile(profile, node.role, node);
      report({
        code: 'STORAGE_NODE_SIZE',
        path: ['nodes', i, key],
        message: `node ${node.name} has ${has} ${unit}; ODF's ${profile} profile${why} needs ${need[key] - base[key]} on each storage node besides the ${base[key]} OpenShift needs on ${role}`,
        expected: `at least ${need[key]} ${unit}, ${leaner ? `storage.profile ${leaner}, ` : ''}or storage.type lvms`,
      });
    }
  });
};

// The next profile down that this node's given sizes would meet, if any.
function leanerProfile(
  profile: StorageProfile,
  role: NodeInput['role'],
  size: { cpus?: number; memoryGiB?: number },
): StorageProfile | undefined {
  const order = Object.keys(ODF_PROFILES) as StorageProfile[];
  return order.slice(0, order.indexOf(profile)).find((p) => {
    const need = odfNodeMinimum(p, role);
    return (size.cpus ?? Infinity) >= need.cpus && (size.memoryGiB ?? Infinity) >= need.memoryGiB;
  });
}

// With storage.type none, disks named for storage are not used.
export const storageDevicesAreUsed: Rule = ({ site, input, report }) => {
  if (site.storage.type !== 'none') return;
  const lists: PathSegment[][] = [
    ...((input.storage?.devices ?? []).length > 0 ? [['storage', 'devices']] : []),
    ...input.nodes.flatMap((n, i) => ((n.storageDevices ?? []).length > 0 ? [['nodes', i, 'storageDevices']] : [])),
  ];
  for (const path of lists) {
    report({
      severity: 'warning',
      code: 'STORAGE_DEVICES_IGNORED',
      path,
      message: 'storage.type is none, so these disks are not used',
      expected: 'storage.type lvms or odf to use them',
    });
  }
};
