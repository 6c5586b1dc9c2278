// The normalized site: defaults filled, MACs in one notation, addresses parsed. Every other
// capability (render, iso, agent) consumes this and never the raw YAML.
import type { SiteInput } from './schema.js';
import type { Ipv4Net } from './ipv4.js';
import type { SecretStore } from './secrets.js';
import type { StorageProfile, StorageType } from './storage.js';

export type { StorageProfile, StorageType } from './storage.js';

type Input = SiteInput;
type NodeInput = Input['nodes'][number];

export type Role = NodeInput['role'];
export type BmcType = NodeInput['bmc']['type'];
export type GatewayMode = NonNullable<Input['network']['gateway']>;
export type Encryption = NonNullable<Input['bastion']['encryption']>;
export type RootDeviceHints = NonNullable<NodeInput['rootDeviceHints']>;
export type NetworkType = NonNullable<NonNullable<Input['cluster']['networks']>['networkType']>;

// The cluster's internal address spaces (install-config networking), in CIDR text.
export interface ClusterNetworks {
  clusterNetwork: string;
  hostPrefix: number;
  serviceNetwork: string;
  networkType: NetworkType;
}

export interface Bmc {
  type: BmcType;
  // Absent only for manual BMCs.
  address?: string;
  port?: number;
  username?: string;
  passwordSecret?: string;
  systemId?: string;
  verifyTls: boolean;
  // IPMI: ipmitool -C; absent, ipmitool negotiates.
  cipherSuite?: number;
  mac?: string;
}

export interface Node {
  name: string;
  fqdn: string;
  role: Role;
  mac: string;
  ip: string;
  installDisk?: string;
  rootDeviceHints?: RootDeviceHints;
  bmc: Bmc;
  // As the file gives them; only the ODF minimum is checked against them.
  cpus?: number;
  memoryGiB?: number;
}

// A node storage takes disks on, and those disks.
export interface StorageNode {
  name: string;
  devices: string[];
}

export interface Storage {
  type: StorageType;
  // The file names no type: it is the documented default (defaultStorageType).
  defaulted: boolean;
  // ODF's resource profile; unused by the other types.
  profile: StorageProfile;
  // The nodes that run workloads and name disks (their own storageDevices, else
  // storage.devices), in file order; none with type none. Empty with lvms: LVM Storage takes
  // every empty disk.
  nodes: StorageNode[];
}

// An operator the site installs from the stick's catalog after storage.
export interface Operator {
  name: string;
  // Absent: the package's default channel in the catalog.
  channel?: string;
}

export interface Reservation {
  name: string;
  mac: string;
  ip: string;
}

export interface PortForward {
  name?: string;
  protocol: 'tcp' | 'udp';
  port: number;
  to: string;
  toPort: number;
}

export type Wan =
  | { interface: string; mode: 'dhcp'; dns: string[] }
  | { interface: string; mode: 'static'; address: string; prefix: number; gateway: string; dns: string[] };

export interface Lan {
  interface: string;
  vlan?: number;
  subnet: Ipv4Net;
  // Text forms, for templates.
  network: string;
  prefix: number;
  netmask: string;
  broadcast: string;
  bastion: string;
  bootstrap: string;
  pool: { start: string; end: string };
}

export interface Site {
  // Absolute path of the site file, and the path as the user wrote it.
  file: string;
  display: string;
  cluster: {
    name: string;
    domain: string;
    fqdn: string;
    // A minor ("4.16") or an exact release ("4.16.3"); see versionMatches (site/version.ts).
    openshiftVersion: string;
    networks: ClusterNetworks;
  };
  network: {
    gateway: GatewayMode;
    wan: Wan;
    lan: Lan;
    reservations: Reservation[];
    portForwards: PortForward[];
  };
  ntp: { upstreams: string[] };
  bastion: {
    hostname: string;
    fqdn: string;
    installDisk: string;
    encryption: Encryption;
    passphraseSecret?: string;
    rootPasswordSecret: string;
    admin?: { name: string; passwordSecret?: string };
    timezone: string;
    locale: string;
    keyboard: string;
  };
  nodes: Node[];
  diskEncryption: { tang: boolean };
  storage: Storage;
  operators: Operator[];
  sshKeys: string[];
  // After install the agent keeps the site: how often it looks at the cluster, and whether it
  // powers a site it finds off back on by itself.
  keeper: { healthEverySeconds: number; powerOn: 'auto' | 'manual' };
  // etcd backups the keeper takes onto the bastion, and how many it keeps.
  backups: { enabled: boolean; everySeconds: number; keep: number };
  // What fyr-agent upgrade may do: take an unsigned release, acknowledge these admin gates.
  upgrades: { allowUnsignedReleases: boolean; adminAcks: string[] };
  // Secret values stay behind this store; they are never part of the serializable model.
  secrets: SecretStore;
}
