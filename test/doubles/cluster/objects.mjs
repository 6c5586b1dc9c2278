// The API objects of the fake cluster, in the shapes the real API server returns. Each builder
// names the Go type it follows; field names and optionality come from those files.
import { randomUUID } from 'node:crypto';
import { iso } from './util.mjs';

// The cluster operators of a 4.18 cluster on platform none / bare metal (what
// `oc get clusteroperators` lists on such a cluster).
export const OPERATORS = [
  'authentication',
  'baremetal',
  'cloud-controller-manager',
  'cloud-credential',
  'cluster-autoscaler',
  'config-operator',
  'console',
  'control-plane-machine-set',
  'csi-snapshot-controller',
  'dns',
  'etcd',
  'image-registry',
  'ingress',
  'insights',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kube-storage-version-migrator',
  'machine-api',
  'machine-approver',
  'machine-config',
  'marketplace',
  'monitoring',
  'network',
  'node-tuning',
  'openshift-apiserver',
  'openshift-controller-manager',
  'openshift-samples',
  'operator-lifecycle-manager',
  'operator-lifecycle-manager-catalog',
  'operator-lifecycle-manager-packageserver',
  'service-ca',
  'storage',
];

// The control-plane operators whose rollouts cluster-backup.sh refuses to race, with the
// static pod revision each node runs (the host's /etc/kubernetes/static-pod-resources/NAME-pod-N).
export const STATIC_POD_OPERATORS = { 'kube-apiserver': 7, 'kube-controller-manager': 6, 'kube-scheduler': 6, etcd: 3 };

// The Kubernetes release each OpenShift minor ships.
const KUBE = { 4.16: '1.29.14', 4.17: '1.30.10', 4.18: '1.31.7', 4.19: '1.32.5' };
export const kubeVersion = (version) => KUBE[version.split('.').slice(0, 2).join('.')] ?? '1.31.7';
// The RHCOS build string of a release, as nodes report it in osImage ("418.94.…").
export function rhcosBuild(version) {
  const [major, minor] = version.split('.');
  return `${major}${minor}.94.202504080525-0`;
}

export const CAPABILITIES = [
  'Build',
  'CSISnapshot',
  'CloudControllerManager',
  'CloudCredential',
  'Console',
  'DeploymentConfig',
  'ImageRegistry',
  'Ingress',
  'Insights',
  'MachineAPI',
  'NodeTuning',
  'OperatorLifecycleManager',
  'Storage',
  'baremetal',
  'marketplace',
  'openshift-samples',
];

// The admin gate every 4.18 release carries (cluster-version-operator
// install/0000_00_cluster-version-operator_01_admingate_configmap.yaml).
export const ADMIN_GATES = {
  4.18: {
    'ack-4.18-kube-1.32-api-removals-in-4.19':
      'Kubernetes 1.32 and therefore OpenShift 4.19 remove several APIs which require admin consideration. Please see the knowledge article https://access.redhat.com/articles/7112216 for details and instructions.',
  },
};

export function meta(state, name, now, extra = {}) {
  state.rv += 1;
  return { creationTimestamp: iso(now), name, resourceVersion: String(state.rv), uid: randomUUID(), ...extra };
}
export function touch(state, obj) {
  state.rv += 1;
  obj.metadata.resourceVersion = String(state.rv);
}

// Sets one condition as the Go helpers do (SetOperatorStatusCondition, meta.SetStatusCondition):
// lastTransitionTime moves only when the status changes; reason and message are omitted when
// empty. Returns true when anything changed.
export function setCondition(list, { type, status, reason, message }, now, extra = {}) {
  let c = list.find((x) => x.type === type);
  const before = JSON.stringify(c);
  if (!c) {
    c = { type, status, lastTransitionTime: iso(now) };
    list.push(c);
  } else if (c.status !== status) c.lastTransitionTime = iso(now);
  c.status = status;
  if (reason) c.reason = reason;
  else delete c.reason;
  if (message) c.message = message;
  else delete c.message;
  Object.assign(c, extra);
  return JSON.stringify(c) !== before;
}
export const condition = (list, type) => list?.find((c) => c.type === type);
export const isTrue = (list, type) => condition(list, type)?.status === 'True';
export const isFalse = (list, type) => condition(list, type)?.status === 'False';

// config.openshift.io/v1 ClusterVersion (openshift/api config/v1/types_cluster_version.go):
// spec {clusterID, channel, desiredUpdate?}, status {desired, history[], observedGeneration,
// versionHash, capabilities, conditions[], availableUpdates (always present, null)}.
export function clusterVersion(state, now) {
  const c = state.cluster;
  return {
    apiVersion: 'config.openshift.io/v1',
    kind: 'ClusterVersion',
    metadata: meta(state, 'version', now, { generation: 2 }),
    spec: { channel: `stable-${c.version.split('.').slice(0, 2).join('.')}`, clusterID: c.clusterID },
    status: {
      availableUpdates: null,
      capabilities: { enabledCapabilities: CAPABILITIES, knownCapabilities: CAPABILITIES },
      conditions: [],
      desired: { image: c.releaseImage, version: c.version },
      history: [
        {
          completionTime: null,
          image: c.releaseImage,
          startedTime: iso(now),
          state: 'Partial',
          verified: false,
          version: c.version,
        },
      ],
      observedGeneration: 2,
      versionHash: 'Hq1nUYyU4ho=',
    },
  };
}

// config.openshift.io/v1 ClusterOperator (openshift/api config/v1/types_cluster_operator.go):
// status {conditions[] (type, status, lastTransitionTime, reason?, message?), versions[]
// (name, version), relatedObjects[] (group, resource, namespace?, name), extension (null)}.
export function clusterOperator(state, name, now) {
  const c = state.cluster;
  const versions = [{ name: 'operator', version: c.version }];
  if (['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].includes(name))
    versions.push({ name, version: c.kubeVersion });
  if (['etcd', 'openshift-apiserver', 'openshift-controller-manager'].includes(name))
    versions.push({ name, version: c.version });
  const co = {
    apiVersion: 'config.openshift.io/v1',
    kind: 'ClusterOperator',
    metadata: meta(state, name, now, {
      annotations: {
        'include.release.openshift.io/self-managed-high-availability': 'true',
        'include.release.openshift.io/single-node-developer': 'true',
      },
      generation: 1,
    }),
    spec: {},
    status: {
      conditions: [],
      extension: null,
      relatedObjects: [{ group: '', name: `openshift-${name.replace(/^openshift-/, '')}`, resource: 'namespaces' }],
      versions,
    },
  };
  // While the cluster installs, the operators roll out their operands.
  setCondition(co.status.conditions, { type: 'Degraded', status: 'False', reason: 'AsExpected' }, now);
  setCondition(
    co.status.conditions,
    { type: 'Progressing', status: 'True', reason: 'Deploying', message: `Progressing: deploying ${name}` },
    now,
  );
  setCondition(
    co.status.conditions,
    { type: 'Available', status: 'False', reason: 'Deploying', message: `Available: ${name} is not yet available` },
    now,
  );
  setCondition(
    co.status.conditions,
    { type: 'Upgradeable', status: 'True', reason: 'AsExpected', message: 'All is well' },
    now,
  );
  return co;
}

// What each operator reports once its operands run: the static-pod operators describe their
// revisions as the real ones do.
export function settledConditions(name, controlPlanes) {
  const rev = STATIC_POD_OPERATORS[name];
  if (rev === undefined)
    return {
      Degraded: { status: 'False', reason: 'AsExpected', message: 'All is well' },
      Progressing: { status: 'False', reason: 'AsExpected', message: 'All is well' },
      Available: { status: 'True', reason: 'AsExpected', message: 'All is well' },
    };
  const n = controlPlanes;
  return {
    Degraded: {
      status: 'False',
      reason: 'AsExpected',
      message:
        name === 'etcd'
          ? 'NodeControllerDegraded: All master nodes are ready\nEtcdMembersDegraded: No unhealthy members found'
          : 'NodeControllerDegraded: All master nodes are ready',
    },
    Progressing: {
      status: 'False',
      reason: 'AsExpected',
      message:
        name === 'etcd'
          ? `NodeInstallerProgressing: ${n} nodes are at revision ${rev}\nEtcdMembersProgressing: No unstarted etcd members found`
          : `NodeInstallerProgressing: ${n} nodes are at revision ${rev}`,
    },
    Available: {
      status: 'True',
      reason: 'AsExpected',
      message:
        name === 'etcd'
          ? `StaticPodsAvailable: ${n} nodes are active; ${n} nodes are at revision ${rev}\nEtcdMembersAvailable: ${n} members are available`
          : `StaticPodsAvailable: ${n} nodes are active; ${n} nodes are at revision ${rev}`,
    },
  };
}

// The kubelet's node conditions (k8s.io/kubernetes pkg/kubelet/nodestatus/setters.go) and the
// node lifecycle controller's when the kubelet stops posting.
export const KUBELET_CONDITIONS = {
  MemoryPressure: {
    status: 'False',
    reason: 'KubeletHasSufficientMemory',
    message: 'kubelet has sufficient memory available',
  },
  DiskPressure: { status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
  PIDPressure: { status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
  Ready: { status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
};
export const NETWORK_NOT_READY =
  'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: no CNI configuration file in /etc/kubernetes/cni/net.d/. Has your network provider started?';
export const UNKNOWN = {
  status: 'Unknown',
  reason: 'NodeStatusUnknown',
  message: 'Kubelet stopped posting node status.',
};

// v1 Node (k8s.io/api core/v1/types.go: Node, NodeSpec, NodeStatus, NodeCondition,
// NodeAddress, NodeSystemInfo). Registered by the kubelet NotReady until its network is up.
export function node(state, machine, now) {
  const c = state.cluster;
  const compact = !state.machines.some((m) => m.role === 'worker');
  const cp = machine.role === 'control-plane';
  const labels = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': machine.name,
    'kubernetes.io/os': 'linux',
    ...(cp ? { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/master': '' } : {}),
    ...(!cp || compact ? { 'node-role.kubernetes.io/worker': '' } : {}),
    'node.openshift.io/os_id': 'rhcos',
  };
  const hb = iso(now);
  const conditions = Object.entries(KUBELET_CONDITIONS).map(([type, v]) => ({
    lastHeartbeatTime: hb,
    lastTransitionTime: hb,
    message: v.message,
    reason: v.reason,
    status: v.status,
    type,
  }));
  Object.assign(conditions[3], { status: 'False', reason: 'KubeletNotReady', message: NETWORK_NOT_READY });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: meta(state, machine.name, now, {
      annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
      labels,
    }),
    spec: cp && !compact ? { taints: [{ effect: 'NoSchedule', key: 'node-role.kubernetes.io/master' }] } : {},
    status: {
      addresses: [
        { address: machine.ip, type: 'InternalIP' },
        { address: machine.name, type: 'Hostname' },
      ],
      allocatable: { cpu: '7500m', 'ephemeral-storage': '114396791822', memory: '31669620Ki', pods: '250' },
      capacity: { cpu: '8', 'ephemeral-storage': '125238252Ki', memory: '32820596Ki', pods: '250' },
      conditions,
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64',
        bootID: randomUUID(),
        containerRuntimeVersion: `cri-o://${c.kubeVersion}-3.rhaos${c.version.split('.').slice(0, 2).join('.')}.el9`,
        kernelVersion: '5.14.0-427.65.1.el9_4.x86_64',
        kubeProxyVersion: `v${c.kubeVersion}`,
        kubeletVersion: `v${c.kubeVersion}`,
        machineID: randomUUID().replace(/-/g, ''),
        operatingSystem: 'linux',
        osImage: `Red Hat Enterprise Linux CoreOS ${rhcosBuild(c.version)}`,
        systemUUID: randomUUID(),
      },
    },
  };
}

// certificates.k8s.io/v1 CertificateSigningRequest (k8s.io/api certificates/v1/types.go):
// spec {request (base64 PEM), signerName, usages, username, uid?, groups}, status {} while
// pending; conditions[] and certificate (base64 PEM) once approved and signed.
export function csr(state, name, now, { request, signerName, usages, username, uid, groups }) {
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: meta(state, name, now, { generateName: 'csr-' }),
    spec: {
      groups,
      request: Buffer.from(request).toString('base64'),
      signerName,
      ...(uid ? { uid } : {}),
      usages,
      username,
    },
    status: {},
  };
}

// v1 Secret and ConfigMap (k8s.io/api core/v1/types.go).
export function secret(state, namespace, name, now, { type, data, annotations }) {
  return {
    apiVersion: 'v1',
    data,
    kind: 'Secret',
    metadata: meta(state, name, now, { annotations, namespace }),
    type,
  };
}
export function configMap(state, namespace, name, now, data, annotations) {
  return {
    apiVersion: 'v1',
    data,
    kind: 'ConfigMap',
    metadata: meta(state, name, now, { ...(annotations ? { annotations } : {}), namespace }),
  };
}

// The namespaces of a 4.18 cluster on platform none / bare metal (`oc get namespaces`).
export const NAMESPACES = [
  'default',
  'kube-node-lease',
  'kube-public',
  'kube-system',
  'openshift',
  'openshift-apiserver',
  'openshift-apiserver-operator',
  'openshift-authentication',
  'openshift-authentication-operator',
  'openshift-catalogd',
  'openshift-cloud-controller-manager',
  'openshift-cloud-controller-manager-operator',
  'openshift-cloud-credential-operator',
  'openshift-cloud-network-config-controller',
  'openshift-cloud-platform-infra',
  'openshift-cluster-csi-drivers',
  'openshift-cluster-machine-approver',
  'openshift-cluster-node-tuning-operator',
  'openshift-cluster-olm-operator',
  'openshift-cluster-samples-operator',
  'openshift-cluster-storage-operator',
  'openshift-cluster-version',
  'openshift-config',
  'openshift-config-managed',
  'openshift-config-operator',
  'openshift-console',
  'openshift-console-operator',
  'openshift-console-user-settings',
  'openshift-controller-manager',
  'openshift-controller-manager-operator',
  'openshift-dns',
  'openshift-dns-operator',
  'openshift-etcd',
  'openshift-etcd-operator',
  'openshift-host-network',
  'openshift-image-registry',
  'openshift-infra',
  'openshift-ingress',
  'openshift-ingress-canary',
  'openshift-ingress-operator',
  'openshift-insights',
  'openshift-kni-infra',
  'openshift-kube-apiserver',
  'openshift-kube-apiserver-operator',
  'openshift-kube-controller-manager',
  'openshift-kube-controller-manager-operator',
  'openshift-kube-scheduler',
  'openshift-kube-scheduler-operator',
  'openshift-kube-storage-version-migrator',
  'openshift-kube-storage-version-migrator-operator',
  'openshift-machine-api',
  'openshift-machine-config-operator',
  'openshift-marketplace',
  'openshift-monitoring',
  'openshift-multus',
  'openshift-network-console',
  'openshift-network-diagnostics',
  'openshift-network-node-identity',
  'openshift-network-operator',
  'openshift-node',
  'openshift-nutanix-infra',
  'openshift-openstack-infra',
  'openshift-operator-controller',
  'openshift-operator-lifecycle-manager',
  'openshift-operators',
  'openshift-ovirt-infra',
  'openshift-ovn-kubernetes',
  'openshift-route-controller-manager',
  'openshift-service-ca',
  'openshift-service-ca-operator',
  'openshift-user-workload-monitoring',
  'openshift-vsphere-infra',
];

// v1 Namespace (k8s.io/api core/v1/types.go; pkg/registry/core/namespace/strategy.go): the
// kubernetes finalizer, phase Active and the kubernetes.io/metadata.name label the API server
// sets on every namespace.
export function namespace(state, name, now) {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: meta(state, name, now, { labels: { 'kubernetes.io/metadata.name': name } }),
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}
