// Building blocks of the site schema: value formats and the node/BMC definitions. Inlined
// into src/site/schema.ts (no $ref), which keeps json-schema-to-ts and the docs simple.
import { DURATION_RE } from '../util/duration.js';
import { storageDevices } from './schema-storage.js';

export const DNS_LABEL = '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$';
export const HEX2 = '[0-9A-Fa-f]{2}';
export const HEX4 = '[0-9A-Fa-f]{4}';
export const IPV4_TEXT = '(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
export const IPV4_RE = `${IPV4_TEXT}(\\.${IPV4_TEXT}){3}`;
export const CIDR_RE = `${IPV4_RE}/([0-9]|[12][0-9]|3[0-2])`;

// A whole number and one unit (util/duration.ts); the bounds of each use are rules
// (src/site/rules/keeper.ts).
export { DURATION_RE };

export const duration = {
  type: 'string',
  pattern: DURATION_RE,
  'x-expected':
    'a duration: a whole number from 1 to 9999 and a unit, m (minutes), h (hours) or d (days), such as 90m, 6h or 1d',
  'x-if-number': 'the unit is missing',
} as const;

export const label = {
  type: 'string',
  pattern: DNS_LABEL,
  'x-expected':
    'a DNS label: lowercase letters, digits and "-", at most 63 characters, not starting or ending with "-"',
} as const;

export const ipv4 = {
  type: 'string',
  format: 'ipv4',
  'x-expected': 'an IPv4 address such as 192.168.8.10',
} as const;

export const cidr = {
  type: 'string',
  pattern: `^${CIDR_RE}$`,
  'x-expected': 'an IPv4 network in CIDR notation such as 192.168.8.0/24',
} as const;

// The first octet of a NIC's own address is even: an odd one (its I/G bit set) is a group
// address, multicast or broadcast, that no interface sends from or DHCP can reserve.
const UNICAST_OCTET = '[0-9A-Fa-f][02468AaCcEe]';

export const mac = {
  type: 'string',
  // colon or dash separated (one separator throughout), Cisco dotted, or 12 bare hex digits;
  // a unicast first octet and not all zeros.
  pattern: `^(?![0:.-]+$)(${UNICAST_OCTET}([:-])${HEX2}(\\2${HEX2}){4}|${UNICAST_OCTET}${HEX2}\\.${HEX4}\\.${HEX4}|${UNICAST_OCTET}[0-9A-Fa-f]{10})$`,
  'x-expected':
    'a unicast MAC address such as 52:54:00:00:00:10 (also 52-54-00-00-00-10, 5254.0000.0010 or 525400000010): not all zeros, not broadcast or multicast (an odd first octet)',
} as const;

export const hostOrIp = {
  type: 'string',
  pattern: '^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$',
  'x-expected': 'a host name or IPv4 address',
} as const;

export const devicePath = {
  type: 'string',
  pattern: '^/dev/[A-Za-z0-9_.:/-]{1,200}$',
  'x-expected': 'a device path such as /dev/sda or /dev/disk/by-path/pci-0000:00:1f.2-ata-1',
} as const;

export const secretRef = {
  type: 'object',
  description: 'A reference to an entry of the secrets file; secret values never appear in the site file.',
  'x-expected':
    'a reference to the secrets file such as { secret: bmc-cp-0 } (secret values never go in the site file)',
  additionalProperties: false,
  required: ['secret'],
  properties: {
    secret: {
      type: 'string',
      pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$',
      'x-expected': 'a secret name: letters, digits, "_", "." and "-", at most 63 characters',
    },
  },
} as const;

export const bmc = {
  type: 'object',
  description: 'How fyr powers the node on and sets a one-time PXE boot. `manual` means a technician does it.',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { enum: ['redfish', 'ipmi', 'manual'] },
    address: { ...hostOrIp, description: 'BMC host name or IPv4 address.' },
    port: { type: 'integer', minimum: 1, maximum: 65535, description: 'Defaults to 443 (Redfish) or 623 (IPMI).' },
    username: {
      type: 'string',
      pattern: '^[A-Za-z0-9_.@-]{1,64}$',
      'x-expected': 'a user name of letters, digits, "_", ".", "@" and "-"',
    },
    password: secretRef,
    systemId: {
      type: 'string',
      pattern: '^/redfish/v1/Systems/[A-Za-z0-9_.-]{1,64}$',
      'x-expected': 'a Redfish system path such as /redfish/v1/Systems/1',
      description: 'Redfish only: the system resource; discovered when there is exactly one.',
    },
    verifyTls: { type: 'boolean', default: false, description: 'Redfish only: verify the BMC certificate.' },
    cipherSuite: {
      type: 'integer',
      enum: [3, 8, 12, 17],
      description:
        "IPMI only: the RMCP+ cipher suite (ipmitool -C). Default: ipmitool's own choice, which asks the BMC first; BMCs that do not answer that question cost seconds per call, and older ones need 3.",
    },
    mac: { ...mac, description: 'MAC of the BMC port, to give it a DHCP reservation on the LAN.' },
  },
  if: { properties: { type: { enum: ['redfish', 'ipmi'] } } },
  then: {
    'x-reason': 'redfish and ipmi BMCs need address, username and password',
    properties: { address: hostOrIp, username: true, password: secretRef },
    required: ['address', 'username', 'password'],
  },
} as const;

export const rootDeviceHints = {
  type: 'object',
  description: 'Pick the install disk by its properties (as in OpenShift rootDeviceHints).',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    deviceName: devicePath,
    hctl: {
      type: 'string',
      pattern: '^[0-9]+:[0-9]+:[0-9]+:[0-9]+$',
      'x-expected': 'an H:C:T:L address such as 0:0:0:0',
    },
    model: { type: 'string', pattern: '^[A-Za-z0-9_. -]{1,64}$', 'x-expected': 'a disk model string' },
    vendor: { type: 'string', pattern: '^[A-Za-z0-9_. -]{1,64}$', 'x-expected': 'a disk vendor string' },
    serialNumber: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$', 'x-expected': 'a disk serial number' },
    wwn: { type: 'string', pattern: '^(0x)?[0-9A-Fa-f]{16,32}$', 'x-expected': 'a WWN such as 0x5000c500a0b1c2d3' },
    minSizeGigabytes: { type: 'integer', minimum: 1 },
    rotational: { type: 'boolean' },
  },
} as const;

export const node = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'role', 'mac', 'ip', 'bmc'],
  properties: {
    name: { ...label, description: 'Host name; the node is <name>.<cluster>.<domain>.' },
    role: { enum: ['control-plane', 'worker'] },
    mac: { ...mac, description: 'MAC of the NIC that PXE-boots on the LAN.' },
    ip: { ...ipv4, description: 'Fixed LAN address, handed out by a DHCP reservation.' },
    installDisk: { ...devicePath, description: 'RHCOS install disk. Give this or rootDeviceHints.' },
    rootDeviceHints,
    bmc,
    storageDevices: {
      ...storageDevices,
      description: "This node's storage disks, in place of storage.devices; an empty list keeps storage off this node.",
    },
    cpus: {
      type: 'integer',
      minimum: 1,
      maximum: 4096,
      'x-expected': 'a whole number of logical CPUs (threads) such as 16',
      description: "The node's logical CPUs. Optional; used only to check ODF's minimum (storage.profile).",
    },
    memoryGiB: {
      type: 'integer',
      minimum: 1,
      maximum: 65536,
      'x-expected': 'a whole number of GiB such as 64',
      description: "The node's memory in GiB. Optional; used only to check ODF's minimum (storage.profile).",
    },
  },
} as const;

// The cluster's own address spaces in the install-config, with openshift-install's defaults.
// The rules (src/site/rules/cluster-networks.ts) check them as the installer does.
export const clusterNetworks = {
  type: 'object',
  description:
    "The cluster's internal networks (install-config networking): pod addresses, service addresses and the network plugin. They must not overlap each other, the LAN, the WAN or OVN-Kubernetes' internal ranges (100.64.0.0/16, 100.88.0.0/16, 169.254.0.0/17).",
  additionalProperties: false,
  properties: {
    clusterNetwork: {
      ...cidr,
      default: '10.128.0.0/14',
      description: 'Pod addresses; each node gets one /hostPrefix slice of it.',
    },
    hostPrefix: {
      type: 'integer',
      minimum: 1,
      maximum: 30,
      default: 23,
      'x-expected':
        "a prefix length from 1 to 30, longer than the cluster network's (23 gives each node 510 pod addresses)",
      description:
        "Prefix length of each node's slice of the cluster network; the slices must be enough for every node.",
    },
    serviceNetwork: { ...cidr, default: '172.30.0.0/16', description: 'Service (ClusterIP) addresses.' },
    networkType: { enum: ['OVNKubernetes'], default: 'OVNKubernetes', description: 'The network plugin.' },
  },
} as const;
