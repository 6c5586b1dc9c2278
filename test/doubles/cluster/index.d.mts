// Types of the fake cluster (index.mjs) for the TypeScript tests.
export interface FakeNode {
  name: string;
  ip: string;
  role: 'control-plane' | 'worker';
  /** The machine's chassis directory, as the ipmi-chassis and redfish-bmc doubles keep it
   * (power 1/0, boot, events, stuck; DIR/vm for a real VM). Without one the machine is
   * powered unless it shut itself down. */
  chassis?: string;
  /** The machine's empty disks, for LVMS and the Local Storage Operator (storage.mjs). */
  disks?: FakeDisk[];
}
/** One empty disk of a node: `path` is the link a deviceSelector names (/dev/disk/by-path/…
 * or by-id/…), `kname` the device it resolves to (default /dev/sdb, /dev/sdc, … in order). */
export interface FakeDisk {
  path: string;
  bytes: number;
  kname?: string;
  /** Default false (an SSD: LSO's NonRotational). */
  rotational?: boolean;
  /** lsblk TYPE as LSO's deviceTypes filter reads it; default 'disk'. */
  type?: 'disk' | 'part';
}
/** The site registry the cluster pulls every image from: `host` as image references name it
 * (HOST:PORT) and `tree`, the distribution storage root (…/docker/registry/v2 below it) that
 * registry serves. An image on any other host, not mirrored to this one by an
 * ImageDigestMirrorSet, is "fetched from outside" and fails as an offline pull does. */
export interface FakeRegistry {
  host: string;
  tree: string;
}
export interface ClusterOptions {
  version: string;
  nodes: FakeNode[];
  /** The real etcd cluster-backup.sh snapshots (http://127.0.0.1:PORT, see test/helpers/etcd.ts). */
  etcdEndpoint: string;
  /** Default: quay.io/openshift-release-dev/ocp-release@<digest of oci.mjs's synthetic release>. */
  releaseImage?: string;
  /** The API is api.<clusterName>.<baseDomain>:6443; defaults edge, example.com. */
  clusterName?: string;
  baseDomain?: string;
  /** RFC3339; the signer's not-after is one year later. Default: now. */
  createdAt?: string;
  /** The bootstrap node approves every pending CSR until bootstrap completes, so the control
   * planes join during bootstrap and only workers wait for someone else (default true). */
  bootstrapApproves?: boolean;
  /** Without one, every pull fails (the cluster is offline and knows no registry). */
  registry?: FakeRegistry;
}
export declare function initCluster(doublesDir: string, options: ClusterOptions): void;
export declare function clusterExists(doublesDir: string): boolean;
/** The site registry, set or replaced after initCluster (e.g. once the test's registry runs). */
export declare function setRegistry(doublesDir: string, registry: FakeRegistry): void;
/** A node's empty disks, replacing those it had (for machines added later). */
export declare function setDisks(doublesDir: string, node: string, disks: FakeDisk[]): void;

export interface Timed {
  /** Apply this many seconds from now (on the first oc call after it is due). */
  in?: number;
}
export declare function setNodeReady(doublesDir: string, name: string, opts?: Timed): void;
export declare function setNodeNotReady(
  doublesDir: string,
  name: string,
  opts?: Timed & { reason?: 'NodeStatusUnknown' | 'KubeletNotReady' | string; message?: string },
): void;
export declare function fileCsr(
  doublesDir: string,
  csr: Timed & {
    username: string;
    commonName: string;
    organization?: string;
    signerName?: string;
    dnsNames?: string[];
    ipAddresses?: string[];
    groups?: string[];
    usages?: string[];
    uid?: string;
    name?: string;
  },
): string;
export declare function setOperatorCondition(
  doublesDir: string,
  operator: string,
  type: 'Available' | 'Progressing' | 'Degraded' | 'Upgradeable' | string,
  status: 'True' | 'False' | 'Unknown',
  opts?: Timed & { reason?: string; message?: string },
): void;
export declare function setSignerNotAfter(doublesDir: string, date: string | Date, opts?: Timed): void;
export declare function setApi(doublesDir: string, up: boolean, opts?: Timed): void;

/** For tests starting from an installed cluster: bootstrap complete and every pending CSR
 * approved (by "bootstrap") until every powered machine's node is Ready and the install done. */
export declare function completeInstall(doublesDir: string): void;
/** A machine racked after install: it joins (client CSR from the node-bootstrapper, Node,
 * serving CSR, Ready once both are approved) only after its chassis events show a PXE boot
 * ("power|reset boot=pxe") after this call, plus the boot delay (20 s, time-scaled). */
export declare function addMachine(
  doublesDir: string,
  machine: { name: string; ip: string; role?: 'worker' | 'control-plane'; chassis?: string },
): void;
/** A stuck guest ignores its own shutdown and an ACPI soft-off; only a hard power-off works. */
// A release the site's registry serves (upgrade.mjs): its payload can be pulled by the cluster.
export declare function publishRelease(doublesDir: string, release: { version: string; image: string }): void;
// Updates alone run this many times faster than real time (the cluster's own scale otherwise).
export declare function setUpdateSpeed(doublesDir: string, factor: number): void;
// A file in the doubles directory that holds `openshift-install wait-for install-complete` while it is there.
export declare const HOLD_INSTALL_COMPLETE: string;
export declare function setStuck(doublesDir: string, name: string, stuck?: boolean): void;
/** Those kubelets' certificates (every machine's without names) count as expired: at their
 * next boot they file a client CSR (node-bootstrapper), then a serving CSR, and turn Ready
 * only when both are approved. */
export declare function expireKubeletCerts(doublesDir: string, names?: string[]): void;

export interface FakeMachine {
  name: string;
  role: 'control-plane' | 'worker';
  ip: string;
  chassis: string | null;
  /** Now, from the chassis (or the in-guest shutdown for a machine without one). */
  powered: boolean;
  stuck: boolean;
  /** Added by addMachine and not PXE-booted yet. */
  pending: boolean;
  /** Its kubelet is up (as of the cluster's last tick). */
  booted: boolean;
  /** Power-ons the cluster has seen since it was made or added. */
  boots: number;
  /** RFC3339 times of the last power-on and power-off the cluster saw, or null. */
  lastBoot: string | null;
  lastOff: string | null;
  /** When the in-guest `shutdown` (scaled) powers it off, or null. */
  shutdownScheduled: string | null;
  /** Its Node object exists. */
  node: boolean;
}
export declare function machines(doublesDir: string): FakeMachine[];

/** How many times `oc adm certificate approve` (or the bootstrap approver) named each CSR. */
export declare function approvals(doublesDir: string): Record<string, number>;
export declare function approvalLog(doublesDir: string): Array<{ csr: string; by: 'oc' | 'bootstrap'; at: string }>;

// The objects as the API serves them (loosely typed: the tests read what they assert).
type Obj = Record<string, any>;
export declare function objects(doublesDir: string): {
  clusterVersion: Obj;
  clusterOperators: Obj[];
  nodes: Obj[];
  csrs: Obj[];
  secrets: Obj[];
  configMaps: Obj[];
};
export declare function clusterState(doublesDir: string): Obj;
