// The cluster objects the agent reads, as far as it reads them. Shapes from the APIs that define
// them; fields the agent does not use are left out, and every field is optional where the API
// lets it be absent, so an older or newer cluster still parses.

// One status condition: k8s.io/apimachinery pkg/apis/meta/v1 Condition, and
// config.openshift.io/v1 ClusterOperatorStatusCondition (openshift/api config/v1/types_cluster_operator.go).
export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

// config.openshift.io/v1 ClusterVersion (openshift/api config/v1/types_cluster_version.go).
export interface ClusterVersion {
  status?: {
    desired?: { version?: string; image?: string };
    history?: Array<{ state?: 'Completed' | 'Partial'; version?: string; completionTime?: string | null }>;
    conditions?: Condition[];
  };
}

// config.openshift.io/v1 ClusterOperator (openshift/api config/v1/types_cluster_operator.go).
export interface ClusterOperator {
  metadata: { name: string };
  status?: { conditions?: Condition[] };
}

// v1 Node (k8s.io/api core/v1/types.go).
export interface Node {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { unschedulable?: boolean };
  status?: { conditions?: Condition[] };
}

// certificates.k8s.io/v1 CertificateSigningRequest (k8s.io/api certificates/v1/types.go).
export interface Csr {
  metadata: { name: string; creationTimestamp?: string };
  spec: { request: string; signerName: string; username?: string; groups?: string[]; usages?: string[] };
  status?: { conditions?: Condition[]; certificate?: string };
}

export interface List<T> {
  items?: T[];
}

export const condition = (conditions: Condition[] | undefined, type: string): Condition | undefined =>
  conditions?.find((c) => c.type === type);

// A CSR is pending while no condition (Approved, Denied, Failed) has been set on it.
export const pending = (csr: Csr): boolean => !csr.status?.conditions?.length;
