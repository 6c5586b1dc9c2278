// The site schema's storage and operators: the disks storage takes, the storage section and
// the operators list. Inlined into src/site/schema.ts like schema-defs.ts.
import { ODF_PROFILES, OPENSHIFT_NODE_MINIMUM, type Size } from './storage.js';

// A disk storage takes over. Only udev's stable links: /dev/sdX and /dev/nvmeXnY names follow
// probe order and can point at another disk after a reboot, and storage wipes what it takes.
export const storageDevice = {
  type: 'string',
  pattern: '^/dev/disk/by-(path|id)/[A-Za-z0-9_.:+@-]{1,200}$',
  'x-expected':
    'a stable device path under /dev/disk/by-path/ or /dev/disk/by-id/ such as /dev/disk/by-path/pci-0000:03:00.0-nvme-1 (names such as /dev/sdb can change from one boot to the next)',
} as const;

export const storageDevices = {
  type: 'array',
  maxItems: 32,
  items: storageDevice,
} as const;

export const storage = {
  type: 'object',
  description:
    'Persistent storage for the cluster: LVM Storage (lvms, local volumes on each node) or OpenShift Data Foundation (odf: Ceph, replicated over 3 nodes; block, file and object). The agent installs it after the install from the catalog on the stick (fyr content --operator), makes its StorageClass the default and puts the image registry on it (docs/day2.md).',
  additionalProperties: false,
  properties: {
    type: {
      enum: ['lvms', 'odf', 'none'],
      description:
        'Default: lvms on a one-node site; otherwise odf when at least 3 nodes that run workloads name a device, lvms when fewer do, none when none do.',
    },
    devices: {
      ...storageDevices,
      description:
        'The disks storage takes on every node that runs workloads (all nodes; only the workers once there are any), unless the node gives its own storageDevices. Their data is destroyed. Never the install disk. Without any, lvms takes every empty disk.',
    },
    profile: {
      enum: ['lean', 'balanced', 'performance'],
      default: 'balanced',
      description: `ODF only: its resource profile. ODF needs, for the whole cluster, ${profileText()} (Red Hat's ODF planning guide): a third of it on each storage node, on top of OpenShift's own ${sizeText(OPENSHIFT_NODE_MINIMUM['control-plane'])} on a control-plane node or ${sizeText(OPENSHIFT_NODE_MINIMUM.worker)} on a worker. Checked against nodes[].cpus and memoryGiB where the file gives them.`,
    },
  },
} as const;

export const operators = {
  type: 'array',
  maxItems: 64,
  description:
    "Operators the site needs besides storage's own: the agent installs each from the catalog on the stick after storage, pinned to the version the stick carries (fyr content --operator; fyr build refuses a site whose release lacks one).",
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: {
        type: 'string',
        pattern: '^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$',
        'x-expected': 'an operator package name such as kubevirt-hyperconverged',
        description: 'The package name in the operator catalog (redhat-operator-index).',
      },
      channel: {
        type: 'string',
        pattern: '^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$',
        'x-expected': 'a channel name such as stable or stable-4.16',
        description: "The subscription channel. Default: the package's default channel in the catalog.",
      },
    },
  },
} as const;

function sizeText(size: Size): string {
  return `${size.cpus} CPUs and ${size.memoryGiB} GiB`;
}

function profileText(): string {
  return Object.entries(ODF_PROFILES)
    .map(([name, size]) => `${name} ${sizeText(size)}`)
    .join(', ');
}
