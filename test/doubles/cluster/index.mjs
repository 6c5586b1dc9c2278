// The fake cluster the oc and openshift-install doubles share: initCluster() makes it (as the
// machines boot, before the API is up), steer.mjs changes it, the readers look at it. See
// README.md in test/doubles for what it does.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { releaseDigest } from '../oci.mjs';
import { tick } from './controller.mjs';
import { layoutHost } from './hosts.mjs';
import {
  ADMIN_GATES,
  NAMESPACES,
  OPERATORS,
  clusterOperator,
  clusterVersion,
  configMap,
  kubeVersion,
  namespace,
  secret,
} from './objects.mjs';
import { olmInit } from './olm.mjs';
import { makeCa } from './pki.mjs';
import { initMachine } from './power.mjs';
import { clusterDir, save } from './state.mjs';
import { storageInit } from './storage.mjs';
import { iso } from './util.mjs';

export {
  addMachine,
  approvalLog,
  approvals,
  clusterState,
  completeInstall,
  expireKubeletCerts,
  fileCsr,
  machines,
  objects,
  setApi,
  setNodeNotReady,
  setNodeReady,
  setOperatorCondition,
  setSignerNotAfter,
  setStuck,
} from './steer.mjs';
export { clusterExists } from './state.mjs';
export { setRegistry } from './olm.mjs';
export { setDisks } from './storage.mjs';
export { publishRelease, setUpdateSpeed } from './upgrade.mjs';
export { HOLD_INSTALL_COMPLETE } from './installer.mjs';

const YEAR = 365 * 24 * 3600_000;

// The machine-config operator's {master,worker}-user-data-managed Secrets (Opaque; keys
// disableTemplating "true" and userData, the pointer ignition to the machine-config server on
// api-int:22623 trusting the root CA: installer pkg/asset/ignition/machine/node.go
// pointerIgnitionConfig, MCO pkg/controller/certrotation and its test fixtures, openshift-docs
// "adding compute machines" (oc extract … --keys=userData --to=-)).
export function pointerIgnition(cluster, role, caPem) {
  const ca = Buffer.from(caPem).toString('base64');
  return JSON.stringify({
    ignition: {
      config: { merge: [{ source: `https://api-int.${cluster.name}.${cluster.baseDomain}:22623/config/${role}` }] },
      security: { tls: { certificateAuthorities: [{ source: `data:text/plain;charset=utf-8;base64,${ca}` }] } },
      version: '3.2.0',
    },
  });
}
function userDataSecret(state, role, caPem, now) {
  return secret(state, 'openshift-machine-api', `${role}-user-data-managed`, now, {
    type: 'Opaque',
    data: {
      disableTemplating: Buffer.from('true').toString('base64'),
      userData: Buffer.from(pointerIgnition(state.cluster, role, caPem)).toString('base64'),
    },
  });
}

export function initCluster(doublesDir, o) {
  const now = Date.now();
  const created = o.createdAt ? Date.parse(o.createdAt) : now;
  rmSync(clusterDir(doublesDir), { recursive: true, force: true });
  mkdirSync(clusterDir(doublesDir), { recursive: true });
  let releaseImage = o.releaseImage;
  if (!releaseImage) {
    const scratch = mkdtempSync(join(tmpdir(), 'fake-cluster-'));
    try {
      releaseImage = `quay.io/openshift-release-dev/ocp-release@${releaseDigest(scratch, o.version, 'x86_64')}`;
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  const name = o.clusterName ?? 'edge';
  const baseDomain = o.baseDomain ?? 'example.com';
  const state = {
    cluster: {
      name,
      baseDomain,
      apiServer: `api.${name}.${baseDomain}:6443`,
      version: o.version,
      kubeVersion: kubeVersion(o.version),
      releaseImage,
      clusterID: randomUUID(),
      bootstrapperUid: randomUUID(),
      createdAt: iso(created),
      etcdEndpoint: o.etcdEndpoint,
      bootstrapApproves: o.bootstrapApproves ?? true,
      ...(o.registry ? { registry: { host: o.registry.host, tree: o.registry.tree } } : {}),
    },
    api: { up: false },
    bootstrap: { complete: false },
    install: { completed: false },
    machines: o.nodes.map((n) =>
      initMachine({ name: n.name, ip: n.ip, role: n.role, ...(n.chassis ? { chassis: n.chassis } : {}) }, now),
    ),
    rv: 10_000,
    objects: {
      clusterversions: {},
      clusteroperators: {},
      nodes: {},
      certificatesigningrequests: {},
      secrets: {},
      configmaps: {},
      namespaces: {},
      machineconfigs: {},
    },
    // The site registry (host and the distribution storage tree it serves) and each node's
    // empty disks (olm.mjs, storage.mjs).
    disks: Object.fromEntries(o.nodes.filter((n) => n.disks).map((n) => [n.name, n.disks])),
    approvals: {},
    approvalLog: [],
    steered: {},
    timed: [],
  };
  const epoch = Math.floor(created / 1000);
  const csrSigner = makeCa(doublesDir, 'csr-signer', `/CN=kube-csr-signer_@${epoch}`, 365);
  const issuer = `openshift-kube-apiserver-operator_kube-apiserver-to-kubelet-signer@${epoch}`;
  const kubeletSigner = makeCa(
    doublesDir,
    'kube-apiserver-to-kubelet-signer',
    '/OU=openshift/CN=kube-apiserver-to-kubelet-signer',
    365,
  );
  const ob = state.objects;
  ob.clusterversions.version = clusterVersion(state, created);
  for (const op of OPERATORS) ob.clusteroperators[op] = clusterOperator(state, op, created);
  ob.secrets['openshift-kube-apiserver-operator/kube-apiserver-to-kubelet-signer'] = secret(
    state,
    'openshift-kube-apiserver-operator',
    'kube-apiserver-to-kubelet-signer',
    created,
    {
      type: 'kubernetes.io/tls',
      data: {
        'tls.crt': Buffer.from(kubeletSigner.cert).toString('base64'),
        'tls.key': Buffer.from(kubeletSigner.key).toString('base64'),
      },
      annotations: {
        'auth.openshift.io/certificate-issuer': issuer,
        'auth.openshift.io/certificate-not-after': iso(created + YEAR),
        'auth.openshift.io/certificate-not-before': iso(created),
        'openshift.io/owning-component': 'kube-apiserver',
      },
    },
  );
  // The installer's root CA (tls/root-ca: OU=openshift, CN=root-ca, ten years), which the
  // pointer ignitions trust for the machine-config server.
  const rootCa = makeCa(doublesDir, 'root-ca', '/OU=openshift/CN=root-ca', 3650);
  for (const role of ['master', 'worker'])
    ob.secrets[`openshift-machine-api/${role}-user-data-managed`] = userDataSecret(state, role, rootCa.cert, created);
  const minor = o.version.split('.').slice(0, 2).join('.');
  ob.configmaps['openshift-config-managed/admin-gates'] = configMap(
    state,
    'openshift-config-managed',
    'admin-gates',
    created,
    ADMIN_GATES[minor] ?? {},
    {
      'kubernetes.io/description':
        'Define update gates for the administrator to acknowledge in the admin-acks ConfigMap in the openshift-config namespace.',
    },
  );
  ob.configmaps['openshift-config/admin-acks'] = configMap(state, 'openshift-config', 'admin-acks', created, {});
  for (const ns of NAMESPACES) ob.namespaces[ns] = namespace(state, ns, created);
  // OperatorHub `cluster` (its default sources follow once OLM runs) and the image registry's
  // Config, Removed as the installer leaves it on bare metal.
  olmInit(state, created);
  storageInit(state, created);
  for (const m of state.machines) layoutHost(doublesDir, m, { caPem: csrSigner.cert });
  tick(doublesDir, state, now);
  save(doublesDir, state);
}
