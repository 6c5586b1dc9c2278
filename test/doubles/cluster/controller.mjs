// The cluster's controllers, run lazily: every call that reads the cluster (each oc call, the
// installer double's waits) first runs tick(), which applies the timed changes that are due,
// lets the kubelets file their CSRs and register, signs approved CSRs (kube-controller-
// manager's csrsigning), settles the operators once every node is Ready, and recomputes the
// ClusterVersion's conditions as the cluster-version operator does.
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  KUBELET_CONDITIONS,
  NETWORK_NOT_READY,
  OPERATORS,
  UNKNOWN,
  condition,
  csr,
  isFalse,
  isTrue,
  node,
  setCondition,
  settledConditions,
  touch,
} from './objects.mjs';
import { makeCsr, signCsr } from './pki.mjs';
import { NODE_MONITOR_GRACE_S, apiServing, kubeletPosting, kubeletRunning, observePower } from './power.mjs';
import { hostRoot } from './state.mjs';
import { olmInit, olmTick } from './olm.mjs';
import { storageInit, storageTick } from './storage.mjs';
import { upgradeTick } from './upgrade.mjs';
import { iso, randSuffix, timeScale } from './util.mjs';

export const NODE_BOOTSTRAPPER = 'system:serviceaccount:openshift-machine-config-operator:node-bootstrapper';
export const CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
export const SERVING_SIGNER = 'kubernetes.io/kubelet-serving';
// The signers kube-controller-manager signs for (its csrsigning controller).
const SIGNED = new Set([
  CLIENT_SIGNER,
  SERVING_SIGNER,
  'kubernetes.io/kube-apiserver-client',
  'kubernetes.io/legacy-unknown',
]);
const SIGNER_SECRET = 'openshift-kube-apiserver-operator/kube-apiserver-to-kubelet-signer';
const MANIFESTS = 903; // what a 4.18 payload's CVO counts as "N of 903 done"

export const newCsrName = (state) => {
  for (;;) {
    const name = `csr-${randSuffix()}`;
    if (!state.objects.certificatesigningrequests[name]) return name;
  }
};

const issued = (c) => Boolean(c?.status?.certificate);
const nodeReady = (n) => isTrue(n?.status?.conditions, 'Ready');
// The operators of the release payload: the ones the fake runs and the CVO watches (a
// ClusterOperator someone else created, say by oc apply, has no operator behind it).
const payloadOperators = (o) => OPERATORS.map((name) => o.clusteroperators[name]).filter(Boolean);

// A kubelet's request: made with its key, which it keeps in /var/lib/kubelet/pki until the
// certificate arrives (k8s.io/kubernetes pkg/kubelet/certificate/bootstrap).
function kubeletCsr(doublesDir, state, machine, kind, now) {
  const serving = kind === 'server';
  const { csr: request, key } = makeCsr(doublesDir, {
    commonName: `system:node:${machine.name}`,
    organization: 'system:nodes',
    ...(serving ? { dnsNames: [machine.name], ipAddresses: [machine.ip] } : {}),
  });
  const pki = join(hostRoot(doublesDir, machine.name), 'var/lib/kubelet/pki');
  mkdirSync(pki, { recursive: true });
  writeFileSync(join(pki, `kubelet-${kind}.key.tmp`), key, { mode: 0o600 });
  const name = newCsrName(state);
  state.objects.certificatesigningrequests[name] = csr(state, name, now, {
    request,
    signerName: serving ? SERVING_SIGNER : CLIENT_SIGNER,
    usages: ['digital signature', serving ? 'server auth' : 'client auth'],
    username: serving ? `system:node:${machine.name}` : NODE_BOOTSTRAPPER,
    ...(serving ? {} : { uid: state.cluster.bootstrapperUid }),
    groups: serving
      ? ['system:nodes', 'system:authenticated']
      : ['system:serviceaccounts', 'system:serviceaccounts:openshift-machine-config-operator', 'system:authenticated'],
  });
  return name;
}

// The issued certificate lands beside its key as kubelet-KIND-<time>.pem, with the
// kubelet-KIND-current.pem link the kubelet reads.
function storeKubeletCert(doublesDir, machine, kind, certB64, now) {
  const pki = join(hostRoot(doublesDir, machine.name), 'var/lib/kubelet/pki');
  let key = '';
  try {
    key = readFileSync(join(pki, `kubelet-${kind}.key.tmp`), 'utf8');
  } catch {
    // the key was removed meanwhile: the kubelet will file again
  }
  const stamp = iso(now).replace(/[:T]/g, '-').replace('Z', '');
  writeFileSync(
    join(pki, `kubelet-${kind}-${stamp}.pem`),
    Buffer.concat([Buffer.from(certB64, 'base64'), Buffer.from(key)]),
    {
      mode: 0o600,
    },
  );
  rmSync(join(pki, `kubelet-${kind}-current.pem`), { force: true });
  symlinkSync(`kubelet-${kind}-${stamp}.pem`, join(pki, `kubelet-${kind}-current.pem`));
  rmSync(join(pki, `kubelet-${kind}.key.tmp`), { force: true });
}

function setNodeConditions(state, n, values, now, { heartbeat }) {
  for (const c of n.status.conditions) {
    const v = values[c.type];
    if (!v) continue;
    if (c.status !== v.status) c.lastTransitionTime = iso(now);
    Object.assign(c, { status: v.status, reason: v.reason, message: v.message });
    if (heartbeat) c.lastHeartbeatTime = iso(now);
  }
  touch(state, n);
}

const TAINT_KEYS = ['node.kubernetes.io/unreachable', 'node.kubernetes.io/not-ready'];
function setTaints(n, key, now) {
  const kept = (n.spec.taints ?? []).filter((t) => !TAINT_KEYS.includes(t.key));
  if (key)
    kept.push({ effect: 'NoSchedule', key, timeAdded: iso(now) }, { effect: 'NoExecute', key, timeAdded: iso(now) });
  if (kept.length > 0) n.spec.taints = kept;
  else delete n.spec.taints;
}

function markReady(state, n, now) {
  setNodeConditions(state, n, KUBELET_CONDITIONS, now, { heartbeat: true });
  setTaints(n, undefined, now);
}
function markNotReady(state, n, reason, message, now) {
  if (reason === 'NodeStatusUnknown') {
    // The node lifecycle controller: every condition Unknown, the last heartbeat kept.
    setNodeConditions(
      state,
      n,
      { MemoryPressure: UNKNOWN, DiskPressure: UNKNOWN, PIDPressure: UNKNOWN, Ready: UNKNOWN },
      now,
      {
        heartbeat: false,
      },
    );
    setTaints(n, 'node.kubernetes.io/unreachable', now);
  } else {
    setNodeConditions(
      state,
      n,
      { Ready: { status: 'False', reason: reason ?? 'KubeletNotReady', message: message ?? NETWORK_NOT_READY } },
      now,
      { heartbeat: true },
    );
    setTaints(n, 'node.kubernetes.io/not-ready', now);
  }
}

// One steering change (see steer.mjs), applied now.
export function applyChange(doublesDir, state, change, now) {
  const o = state.objects;
  switch (change.op) {
    case 'node-ready': {
      const m = state.machines.find((x) => x.name === change.name);
      if (m) m.held = false;
      const n = o.nodes[change.name];
      if (n && (!m || m.served)) markReady(state, n, now);
      break;
    }
    case 'node-not-ready': {
      const m = state.machines.find((x) => x.name === change.name);
      if (m) m.held = true;
      const n = o.nodes[change.name];
      if (n) markNotReady(state, n, change.reason, change.message, now);
      break;
    }
    case 'csr': {
      o.certificatesigningrequests[change.name] = csr(state, change.name, now, change.spec);
      break;
    }
    case 'operator': {
      const co = o.clusteroperators[change.name];
      if (!co) break;
      co.status ??= {};
      setCondition((co.status.conditions ??= []), change, now);
      touch(state, co);
      state.steered[`${change.name}/${change.type}`] = true;
      break;
    }
    case 'signer-not-after': {
      const s = o.secrets[SIGNER_SECRET];
      s.metadata.annotations['auth.openshift.io/certificate-not-after'] = change.date;
      touch(state, s);
      break;
    }
    case 'api':
      state.api.up = change.up;
      break;
    default:
      throw new Error(`fake cluster: unknown change ${change.op}`);
  }
}

function signApproved(doublesDir, state, now) {
  for (const c of Object.values(state.objects.certificatesigningrequests)) {
    if (issued(c) || !isTrue(c.status.conditions, 'Approved') || condition(c.status.conditions, 'Denied')) continue;
    if (!SIGNED.has(c.spec.signerName)) continue;
    const pem = signCsr(doublesDir, 'csr-signer', Buffer.from(c.spec.request, 'base64').toString(), {
      days: 30,
      usages: c.spec.usages,
    });
    c.status.certificate = Buffer.from(pem).toString('base64');
    touch(state, c);
  }
}

// A machine joins as the kubelet does: client CSR, then (certificate in hand) the Node and the
// serving CSR, then Ready once that is signed too.
function kubelets(doublesDir, state, now) {
  const o = state.objects;
  for (const m of state.machines) {
    const booted = m.role === 'control-plane' || !state.cluster.bootstrapApproves || state.bootstrap.complete;
    if (!booted || !kubeletRunning(m, now)) continue;
    // A new kubelet, or one whose certificates expired, asks through the bootstrap credentials.
    if (!o.nodes[m.name] || m.renewing) {
      const client = m.clientCsr && o.certificatesigningrequests[m.clientCsr];
      if (!client) {
        m.clientCsr = kubeletCsr(doublesDir, state, m, 'client', now);
        continue;
      }
      if (!issued(client)) continue;
      storeKubeletCert(doublesDir, m, 'client', client.status.certificate, now);
      delete m.renewing;
      if (!o.nodes[m.name]) {
        o.nodes[m.name] = node(state, m, now);
        if (m.held) markNotReady(state, o.nodes[m.name], 'NodeStatusUnknown', undefined, now);
      }
    }
    if (m.served) continue;
    const serving = m.servingCsr && o.certificatesigningrequests[m.servingCsr];
    if (!serving) {
      m.servingCsr = kubeletCsr(doublesDir, state, m, 'server', now);
      continue;
    }
    if (issued(serving)) {
      storeKubeletCert(doublesDir, m, 'server', serving.status.certificate, now);
      m.served = true;
      if (!m.held) markReady(state, o.nodes[m.name], now);
    }
  }
  // The kubelets of Ready nodes keep posting their status.
  for (const n of Object.values(o.nodes)) {
    const m = state.machines.find((x) => x.name === n.metadata.name);
    if (!nodeReady(n) || (m && !kubeletPosting(m, now))) continue;
    const ready = condition(n.status.conditions, 'Ready');
    if (now - Date.parse(ready.lastHeartbeatTime) < 60_000) continue;
    for (const c of n.status.conditions) c.lastHeartbeatTime = iso(now);
    touch(state, n);
  }
}

// The node lifecycle controller: a Node whose kubelet stopped posting goes NodeStatusUnknown
// (with the unreachable taints) once the grace period has passed; a kubelet posting again with
// valid certificates makes it Ready; spec.unschedulable carries the unschedulable taint
// (nodelifecycle doNoScheduleTaintingPass; SwapNodeControllerTaint stamps timeAdded).
function nodeLifecycle(state, now) {
  const grace = (NODE_MONITOR_GRACE_S * 1000) / timeScale();
  for (const n of Object.values(state.objects.nodes)) {
    const m = state.machines.find((x) => x.name === n.metadata.name);
    if (m && !kubeletPosting(m, now)) {
      const ready = condition(n.status.conditions, 'Ready');
      const silentSince = Math.max(m.offAt ?? 0, state.apiServingSince ?? 0);
      if (ready?.status !== 'Unknown' && now - silentSince >= grace)
        markNotReady(state, n, 'NodeStatusUnknown', undefined, now);
    } else if (m && m.served && !m.held && !nodeReady(n)) markReady(state, n, now);
    const key = 'node.kubernetes.io/unschedulable';
    const has = (n.spec.taints ?? []).some((t) => t.key === key);
    if (Boolean(n.spec.unschedulable) !== has) {
      const kept = (n.spec.taints ?? []).filter((t) => t.key !== key);
      if (n.spec.unschedulable) kept.push({ effect: 'NoSchedule', key, timeAdded: iso(now) });
      if (kept.length > 0) n.spec.taints = kept;
      else delete n.spec.taints;
      touch(state, n);
    }
  }
}

function settleInstall(state, now) {
  if (state.install.completed) return;
  const o = state.objects;
  if (!state.machines.every((m) => nodeReady(o.nodes[m.name]))) return;
  const controlPlanes = state.machines.filter((m) => m.role === 'control-plane').length;
  for (const co of payloadOperators(o)) {
    const settled = settledConditions(co.metadata.name, controlPlanes);
    for (const [type, v] of Object.entries(settled))
      if (!state.steered[`${co.metadata.name}/${type}`]) setCondition(co.status.conditions, { type, ...v }, now);
    touch(state, co);
  }
  state.install.completed = true;
  const cv = o.clusterversions.version;
  cv.status.history[0].state = 'Completed';
  cv.status.history[0].completionTime = iso(now);
}

// cluster-version-operator pkg/cvo/status.go (Available, Failing, Progressing) and
// upgradeable.go (Upgradeable), for the fake's one release.
function clusterVersionStatus(state, now) {
  const o = state.objects;
  const cv = o.clusterversions.version;
  const { version, releaseImage, clusterID } = state.cluster;
  const conds = cv.status.conditions;
  const channel = cv.spec.channel;
  const set = (c) => setCondition(conds, c, now);
  set({
    type: 'RetrievedUpdates',
    status: 'False',
    reason: 'RemoteFailed',
    message: `Unable to retrieve available updates: Get "https://api.openshift.com/api/upgrades_info/v1/graph?arch=amd64&channel=${channel}&id=${clusterID}&version=${version}": dial tcp: lookup api.openshift.com on 172.30.0.10:53: no such host`,
  });
  set({
    type: 'ImplicitlyEnabledCapabilities',
    status: 'False',
    reason: 'AsExpected',
    message: 'Capabilities match configured spec',
  });
  // An update asked for or under way: upgrade.mjs says whether its payload was accepted and
  // how far it has come.
  const want = cv.spec.desiredUpdate?.image;
  if (!want || want === releaseImage)
    set({
      type: 'ReleaseAccepted',
      status: 'True',
      reason: 'PayloadLoaded',
      message: `Payload loaded version="${version}" image="${releaseImage}" architecture="amd64"`,
    });
  const completed = state.install.completed;
  set({
    type: 'Available',
    status: completed ? 'True' : 'False',
    message: completed ? `Done applying ${version}` : '',
  });
  const operators = payloadOperators(o);
  const unavailable = operators
    .filter((co) => !isTrue(co.status.conditions, 'Available'))
    .map((co) => co.metadata.name);
  const degraded = operators.filter((co) => isTrue(co.status.conditions, 'Degraded')).map((co) => co.metadata.name);
  let failure;
  if (completed && unavailable.length === 1)
    failure = {
      reason: 'ClusterOperatorNotAvailable',
      message: `Cluster operator ${unavailable[0]} is not available`,
      summary: `the cluster operator ${unavailable[0]} is not available`,
    };
  else if (completed && unavailable.length > 1)
    failure = {
      reason: 'ClusterOperatorsNotAvailable',
      message: `Cluster operators ${unavailable.join(', ')} are not available`,
      summary: 'some cluster operators are not available',
    };
  else if (completed && degraded.length === 1)
    failure = {
      reason: 'ClusterOperatorDegraded',
      message: `Cluster operator ${degraded[0]} is degraded`,
      summary: `the cluster operator ${degraded[0]} is degraded`,
    };
  else if (completed && degraded.length > 1)
    failure = {
      reason: 'ClusterOperatorsDegraded',
      message: `Cluster operators ${degraded.join(', ')} are degraded`,
      summary: 'an unknown error has occurred: ClusterOperatorsDegraded',
    };
  set({ type: 'Failing', status: failure ? 'True' : 'False', reason: failure?.reason, message: failure?.message });
  if (state.upgrade) {
    // upgrade.mjs: "Working towards …"
  } else if (!completed) {
    const ready = state.machines.filter((m) => nodeReady(o.nodes[m.name])).length;
    const done = Math.floor(MANIFESTS * (0.6 + (0.39 * ready) / state.machines.length));
    set({
      type: 'Progressing',
      status: 'True',
      message:
        ready === 0
          ? `Working towards ${version}`
          : `Working towards ${version}: ${done} of ${MANIFESTS} done (${Math.trunc((done / MANIFESTS) * 100)}% complete)`,
    });
  } else if (failure)
    set({
      type: 'Progressing',
      status: 'False',
      reason: failure.reason,
      message: `Error while reconciling ${version}: ${failure.summary}`,
    });
  else set({ type: 'Progressing', status: 'False', message: `Cluster version is ${version}` });

  // Upgradeable: the admin gates not acknowledged in openshift-config/admin-acks, and the
  // operators that say Upgradeable=False.
  const failing = [];
  const acks = o.configmaps['openshift-config/admin-acks']?.data ?? {};
  const gates = Object.entries(o.configmaps['openshift-config-managed/admin-gates']?.data ?? {}).filter(
    ([k]) => k.startsWith(`ack-${version.split('.').slice(0, 2).join('.')}-`) && acks[k] !== 'true',
  );
  if (gates.length > 0)
    failing.push({
      type: 'UpgradeableAdminAckRequired',
      reason: 'AdminAckRequired',
      message: gates
        .map(([, v]) => v)
        .sort()
        .join(' '),
    });
  const notUp = operators.filter((co) => isFalse(co.status.conditions, 'Upgradeable'));
  if (notUp.length === 1) {
    const c = condition(notUp[0].status.conditions, 'Upgradeable');
    failing.push({
      type: 'UpgradeableClusterOperators',
      reason: c.reason,
      message: `Cluster operator ${notUp[0].metadata.name} should not be upgraded between minor versions: ${c.message}`,
    });
  } else if (notUp.length > 1)
    failing.push({
      type: 'UpgradeableClusterOperators',
      reason: 'ClusterOperatorsNotUpgradeable',
      message: `Multiple cluster operators should not be upgraded between minor versions:\n* ${notUp
        .map((co) => {
          const c = condition(co.status.conditions, 'Upgradeable');
          return `Cluster operator ${co.metadata.name} should not be upgraded between minor versions: ${c.reason}: ${c.message}`;
        })
        .join('\n* ')}`,
    });
  const keep = (t) => failing.length > 1 && failing.some((f) => f.type === t);
  for (const t of ['UpgradeableAdminAckRequired', 'UpgradeableClusterOperators'])
    if (!keep(t)) cv.status.conditions = cv.status.conditions.filter((c) => c.type !== t);
  if (failing.length === 0) cv.status.conditions = cv.status.conditions.filter((c) => c.type !== 'Upgradeable');
  else if (failing.length === 1)
    setCondition(cv.status.conditions, { ...failing[0], type: 'Upgradeable', status: 'False' }, now);
  else {
    for (const f of failing) setCondition(cv.status.conditions, { ...f, status: 'False' }, now);
    setCondition(
      cv.status.conditions,
      {
        type: 'Upgradeable',
        status: 'False',
        reason: 'MultipleReasons',
        message: `Cluster should not be upgraded between minor versions for multiple reasons: ${failing.map((f) => f.reason).join(',')}\n* ${failing.map((f) => f.message).join('\n* ')}`,
      },
      now,
    );
  }
}

export function tick(doublesDir, state, now = Date.now()) {
  // Power first: machines switch whether or not anything answers.
  observePower(state, now);
  const due = state.timed.filter((t) => t.due <= now).sort((a, b) => a.due - b.due);
  state.timed = state.timed.filter((t) => t.due > now);
  for (const t of due) applyChange(doublesDir, state, t.change, now);
  const serving = apiServing(state, now);
  if (serving) state.apiServingSince ??= now;
  else delete state.apiServingSince;
  if (serving) {
    signApproved(doublesDir, state, now);
    kubelets(doublesDir, state, now);
    nodeLifecycle(state, now);
    settleInstall(state, now);
  }
  clusterVersionStatus(state, now);
  if (serving && state.install.completed) upgradeTick(state, now);
  // Day 2: OLM and the marketplace (olm.mjs), then the storage operators, the PV controller
  // and the image registry (storage.mjs).
  if (serving && state.install.completed) {
    olmInit(state, now);
    storageInit(state, now);
    olmTick(state, now);
    storageTick(state, now);
  }
}

// An approval as the API server records it (the CSR's /approval subresource), counted per
// CSR for the tests. Returns an error text for a CSR that was denied.
export function approve(state, name, by, now) {
  const c = state.objects.certificatesigningrequests[name];
  state.approvals[name] = (state.approvals[name] ?? 0) + 1;
  state.approvalLog.push({ csr: name, by, at: iso(now) });
  if (condition(c.status.conditions, 'Denied')) return `certificate signing request "${name}" is already Denied`;
  if (condition(c.status.conditions, 'Approved')) return undefined;
  c.status.conditions = [
    ...(c.status.conditions ?? []),
    {
      lastTransitionTime: iso(now),
      lastUpdateTime: iso(now),
      message: 'This CSR was approved by kubectl certificate approve.',
      reason: 'KubectlApprove',
      status: 'True',
      type: 'Approved',
    },
  ];
  touch(state, c);
  return undefined;
}

export function deny(state, name, now) {
  const c = state.objects.certificatesigningrequests[name];
  if (condition(c.status.conditions, 'Approved')) return `certificate signing request "${name}" is already Approved`;
  if (condition(c.status.conditions, 'Denied')) return undefined;
  c.status.conditions = [
    ...(c.status.conditions ?? []),
    {
      lastTransitionTime: iso(now),
      lastUpdateTime: iso(now),
      message: 'This CSR was denied by kubectl certificate deny.',
      reason: 'KubectlDeny',
      status: 'True',
      type: 'Denied',
    },
  ];
  touch(state, c);
  return undefined;
}
