// Types of the fake cluster (index.mjs) for the TypeScript tests.
export interface FakeNode {
  name: string;
  ip: string;
  role: 'control-plane' | 'worker';
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
}
export declare function initCluster(doublesDir: string, options: ClusterOptions): void;
export declare function clusterExists(doublesDir: string): boolean;

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
