// The fake cluster behind the oc and openshift-install doubles, driven through their real
// command lines: the API down until bootstrap completes, the kubelets' CSRs (real PKCS#10)
// from client to serving to Ready, steering (a node NotReady, an operator degraded, a timed
// change), the signer date by jsonpath, oc debug on a node's host tree (cluster-backup.sh
// against a real etcd, a 100 MB cat), wait-for-stable-cluster, and the writes: oc apply -f and
// oc patch.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  approvalLog,
  approvals,
  fileCsr,
  initCluster,
  objects,
  setNodeNotReady,
  setOperatorCondition,
  setSignerNotAfter,
} from '../doubles/cluster/index.mjs';
import { startEtcd, type Etcd } from '../helpers/etcd.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';
import { doublesBin } from '../doubles/bundle.mjs';

const OC = join(doublesBin(), 'oc');
const INSTALLER = join(doublesBin(), 'openshift-install');
const STEER = resolve('test/doubles/cluster/steer.mjs');
const API = 'api.edge.example.com:6443';
const REFUSED = `The connection to the server ${API} was refused - did you specify the right host or port?\n`;
const NODES = [
  { name: 'cp-0', ip: '10.0.0.10', role: 'control-plane' as const },
  { name: 'cp-1', ip: '10.0.0.11', role: 'control-plane' as const },
  { name: 'cp-2', ip: '10.0.0.12', role: 'control-plane' as const },
  { name: 'worker-0', ip: '10.0.0.20', role: 'worker' as const },
  { name: 'worker-1', ip: '10.0.0.21', role: 'worker' as const },
];
const CREATED = '2025-05-01T10:00:00Z';

type Obj = Record<string, any>;
interface Ctx {
  dir: string;
  doubles: string;
  install: string;
  kubeconfig: string;
  etcd?: Etcd;
}
const test = suite<Ctx>('agent :: fake cluster (oc and openshift-install doubles)', {
  dir: '',
  doubles: '',
  install: '',
  kubeconfig: '',
});

test.before.each(async (c) => {
  c.dir = await makeTmpdir();
  c.doubles = join(c.dir, 'doubles');
  c.install = join(c.dir, 'install');
  c.kubeconfig = join(c.install, 'auth/kubeconfig');
  await mkdir(join(c.install, 'auth'), { recursive: true });
  await mkdir(c.doubles, { recursive: true });
  await writeFile(
    c.kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://${API}\n  name: edge\n`,
  );
  await writeFile(join(c.install, 'auth/kubeadmin-password'), 'AbCdE-fGhIj-KlMnO-pQrSt');
  c.etcd = undefined;
});
test.after.each(async (c) => {
  await c.etcd?.stop();
  await removeTmpdir(c.dir);
});

function env(c: Ctx, extra: Record<string, string> = {}) {
  return { FYR_DOUBLES_DIR: c.doubles, KUBECONFIG: c.kubeconfig, FYR_DOUBLE_TIME_SCALE: '200', ...extra };
}
const oc = (c: Ctx, args: string[], extra: Record<string, string> = {}) =>
  execa(OC, args, { reject: false, env: env(c, extra), extendEnv: true });
const installer = (c: Ctx, what: string, extra: Record<string, string> = {}) =>
  execa(INSTALLER, ['wait-for', what, '--dir', c.install, '--log-level', 'info'], {
    reject: false,
    env: env(c, extra),
  });
const steer = (c: Ctx, args: string[]) => execa('node', [STEER, c.doubles, ...args], { reject: false });

async function json(c: Ctx, args: string[]): Promise<Obj> {
  const r = await oc(c, [...args, '--output', 'json']);
  assert.is(r.exitCode, 0, `oc ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Obj;
}
const cond = (o: Obj, type: string): Obj | undefined =>
  (o.status.conditions as Obj[] | undefined)?.find((x) => x.type === type);

function init(c: Ctx, endpoint = 'http://127.0.0.1:1') {
  initCluster(c.doubles, { version: '4.18.9', nodes: NODES, etcdEndpoint: endpoint, createdAt: CREATED });
}

// The agent's loop: approve what is pending until every node is Ready.
async function approveUntilReady(c: Ctx): Promise<string[]> {
  const approved: string[] = [];
  for (let i = 0; i < 20; i++) {
    const csrs = (await json(c, ['get', 'csr'])).items as Obj[];
    const pending = csrs.filter((x) => !x.status.conditions).map((x) => x.metadata.name as string);
    if (pending.length > 0) {
      const r = await oc(c, ['adm', 'certificate', 'approve', ...pending]);
      assert.is(r.exitCode, 0, r.stderr);
      approved.push(...pending);
    }
    const nodes = (await json(c, ['get', 'nodes'])).items as Obj[];
    if (nodes.length === NODES.length && nodes.every((n) => cond(n, 'Ready')?.status === 'True')) return approved;
  }
  throw new Error('nodes never became Ready');
}

async function installed(c: Ctx, endpoint?: string) {
  init(c, endpoint);
  assert.is((await installer(c, 'bootstrap-complete')).exitCode, 0);
  await approveUntilReady(c);
  const r = await installer(c, 'install-complete');
  assert.is(r.exitCode, 0, r.stderr);
}

const openssl = async (args: string[], input: string) => (await execa('openssl', args, { input })).stdout;
const pemOf = (b64: string) => Buffer.from(b64, 'base64').toString();

test('the API is down until bootstrap completes; oc refuses without a kubeconfig; pflag spellings', async (c) => {
  init(c);
  for (const args of [
    ['get', 'clusterversion', 'version', '--output', 'json'],
    ['get', 'nodes', '-o', 'json'],
    ['get', 'csr', '--output=json'],
  ]) {
    const r = await oc(c, args);
    assert.is(r.exitCode, 1);
    assert.is(`${r.stderr}\n`, REFUSED);
    assert.is(r.stdout, '');
  }
  const none = await oc(c, ['get', 'nodes', '-o', 'json'], { KUBECONFIG: join(c.dir, 'missing') });
  assert.is(none.exitCode, 1);
  assert.match(none.stderr, /^error: Missing or incomplete configuration info\. {2}Please point to an existing/);

  const boot = await installer(c, 'bootstrap-complete');
  assert.is(boot.exitCode, 0, boot.stderr);
  assert.match(boot.stdout, `INFO Waiting up to 20m0s (until `);
  assert.match(boot.stdout, `for the Kubernetes API at https://${API}...\nINFO API v1.31.7 up\n`);
  assert.match(boot.stdout, 'INFO It is now safe to remove the bootstrap resources\n');

  const spellings = [
    ['get', 'clusterversion', 'version', '--output', 'json'],
    ['get', 'clusterversion', 'version', '--output=json'],
    ['get', 'clusterversion', 'version', '-o', 'json'],
    ['get', 'clusterversion', 'version', '-ojson'],
    ['--output', 'json', 'get', 'clusterversion', 'version'],
    ['get', 'clusterversion/version', '-o=json'],
  ];
  for (const args of spellings) {
    const r = await oc(c, args);
    assert.is(r.exitCode, 0, `${args.join(' ')}: ${r.stderr}`);
    const cv = JSON.parse(r.stdout) as Obj;
    assert.is(cv.kind, 'ClusterVersion');
    assert.is(cv.apiVersion, 'config.openshift.io/v1');
  }
  const cv = await json(c, ['get', 'clusterversion', 'version']);
  assert.type(cv.spec.clusterID, 'string');
  assert.is(cv.status.desired.version, '4.18.9');
  assert.match(cv.status.desired.image, /^quay\.io\/openshift-release-dev\/ocp-release@sha256:[0-9a-f]{64}$/);
  assert.is(cv.status.availableUpdates, null);
  assert.is(cv.status.history[0].state, 'Partial');
  assert.is(cv.status.history[0].completionTime, null);
  for (const type of ['Available', 'Progressing', 'Failing', 'ReleaseAccepted', 'Upgradeable', 'RetrievedUpdates'])
    assert.ok(cond(cv, type), `condition ${type}`);
  assert.is(cond(cv, 'Progressing')?.status, 'True');
  assert.match(cond(cv, 'Progressing')?.message, /^Working towards 4\.18\.9: \d+ of 903 done \(\d+% complete\)$/);
  assert.is(cond(cv, 'Upgradeable')?.reason, 'AdminAckRequired');
  // The JSON is kubectl's: four-space indentation, keys sorted.
  const raw = (await oc(c, ['get', 'clusterversion', 'version', '-o', 'json'])).stdout;
  assert.ok(raw.startsWith('{\n    "apiVersion": "config.openshift.io/v1",\n    "kind": "ClusterVersion",\n'));

  const cos = await json(c, ['get', 'clusteroperators']);
  assert.is(cos.kind, 'List');
  assert.is(cos.items.length, 33);
  assert.ok((cos.items as Obj[]).some((o) => o.metadata.name === 'operator-lifecycle-manager-packageserver'));
  const etcd = await json(c, ['get', 'clusteroperator', 'etcd']);
  assert.equal(
    (etcd.status.conditions as Obj[]).map((x) => x.type),
    ['Degraded', 'Progressing', 'Available', 'Upgradeable'],
  );
  assert.ok((etcd.status.versions as Obj[]).some((v) => v.name === 'operator' && v.version === '4.18.9'));
  const missing = await oc(c, ['get', 'clusteroperator', 'nope', '-o', 'json']);
  assert.is(missing.exitCode, 1);
  assert.is(missing.stderr, 'Error from server (NotFound): clusteroperators.config.openshift.io "nope" not found');
});

test('kubelet CSRs: client, then the node registers and files its serving CSR, then Ready', async (c) => {
  init(c);
  assert.is((await installer(c, 'bootstrap-complete')).exitCode, 0);
  // The bootstrap node approved the control planes' CSRs: they are Ready.
  let nodes = (await json(c, ['get', 'nodes'])).items as Obj[];
  assert.equal(nodes.map((n) => n.metadata.name).sort(), ['cp-0', 'cp-1', 'cp-2']);
  const cp0 = nodes.find((n) => n.metadata.name === 'cp-0')!;
  assert.equal(cond(cp0, 'Ready'), {
    lastHeartbeatTime: cond(cp0, 'Ready')!.lastHeartbeatTime,
    lastTransitionTime: cond(cp0, 'Ready')!.lastTransitionTime,
    message: 'kubelet is posting ready status',
    reason: 'KubeletReady',
    status: 'True',
    type: 'Ready',
  });
  assert.ok('node-role.kubernetes.io/master' in cp0.metadata.labels);
  assert.ok('node-role.kubernetes.io/control-plane' in cp0.metadata.labels);
  assert.not.ok('node-role.kubernetes.io/worker' in cp0.metadata.labels, 'masters of a cluster with workers');
  assert.equal(cp0.status.addresses, [
    { address: '10.0.0.10', type: 'InternalIP' },
    { address: 'cp-0', type: 'Hostname' },
  ]);
  assert.match(cp0.status.nodeInfo.osImage, /^Red Hat Enterprise Linux CoreOS 418\./);
  assert.ok(approvalLog(c.doubles).every((e) => e.by === 'bootstrap'));

  // Each worker has filed its client CSR.
  let csrs = ((await json(c, ['get', 'csr'])).items as Obj[]).filter((x) => !x.status.conditions);
  assert.is(csrs.length, 2);
  for (const x of csrs) {
    assert.match(x.metadata.name, /^csr-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.is(x.spec.username, 'system:serviceaccount:openshift-machine-config-operator:node-bootstrapper');
    assert.is(x.spec.signerName, 'kubernetes.io/kube-apiserver-client-kubelet');
    assert.equal(x.spec.usages, ['digital signature', 'client auth']);
    assert.equal(x.status, {});
  }
  const subjects = await Promise.all(csrs.map((x) => openssl(['req', '-noout', '-subject'], pemOf(x.spec.request))));
  assert.equal(subjects.sort(), [
    'subject=O = system:nodes, CN = system:node:worker-0',
    'subject=O = system:nodes, CN = system:node:worker-1',
  ]);
  const client0 = csrs[0]!;
  const approve = await oc(c, ['adm', 'certificate', 'approve', ...csrs.map((x) => x.metadata.name as string)]);
  assert.is(approve.exitCode, 0, approve.stderr);
  assert.is(
    approve.stdout,
    csrs.map((x) => `certificatesigningrequest.certificates.k8s.io/${x.metadata.name} approved`).join('\n'),
  );

  // Registered, not Ready yet; the serving CSRs are in.
  nodes = (await json(c, ['get', 'nodes'])).items as Obj[];
  const w0 = nodes.find((n) => n.metadata.name === 'worker-0')!;
  assert.is(cond(w0, 'Ready')?.status, 'False');
  assert.is(cond(w0, 'Ready')?.reason, 'KubeletNotReady');
  const approvedClient = await json(c, ['get', 'csr', client0.metadata.name]);
  assert.equal(
    { ...cond(approvedClient, 'Approved'), lastUpdateTime: 0, lastTransitionTime: 0 },
    {
      lastTransitionTime: 0,
      lastUpdateTime: 0,
      message: 'This CSR was approved by kubectl certificate approve.',
      reason: 'KubectlApprove',
      status: 'True',
      type: 'Approved',
    },
  );
  assert.match(
    await openssl(['x509', '-noout', '-subject'], pemOf(approvedClient.status.certificate)),
    /CN = system:node:worker-/,
  );
  csrs = ((await json(c, ['get', 'csr'])).items as Obj[]).filter((x) => !x.status.conditions);
  assert.is(csrs.length, 2);
  const serving = csrs.find((x) => x.spec.username === 'system:node:worker-0')!;
  assert.is(serving.spec.signerName, 'kubernetes.io/kubelet-serving');
  assert.equal(serving.spec.groups, ['system:nodes', 'system:authenticated']);
  const text = await openssl(['req', '-noout', '-text'], pemOf(serving.spec.request));
  assert.match(text, 'Subject: O = system:nodes, CN = system:node:worker-0');
  assert.match(text, 'DNS:worker-0, IP Address:10.0.0.20');

  const notFound = await oc(c, ['adm', 'certificate', 'approve', 'csr-nope1']);
  assert.is(notFound.exitCode, 1);
  assert.is(
    notFound.stderr,
    'Error from server (NotFound): certificatesigningrequests.certificates.k8s.io "csr-nope1" not found',
  );
  assert.is(
    (await oc(c, ['adm', 'certificate', 'approve', ...csrs.map((x) => x.metadata.name as string)])).exitCode,
    0,
  );
  nodes = (await json(c, ['get', 'nodes'])).items as Obj[];
  assert.ok(nodes.every((n) => cond(n, 'Ready')?.status === 'True'));
  const w0Pki = await readdir(join(c.doubles, 'cluster/hosts/worker-0/var/lib/kubelet/pki'));
  assert.ok(w0Pki.includes('kubelet-client-current.pem') && w0Pki.includes('kubelet-server-current.pem'));

  // A stranger's CSR shows up and is never approved by anyone here.
  const stray = fileCsr(c.doubles, {
    username: 'system:node:intruder',
    groups: ['system:nodes', 'system:authenticated'],
    signerName: 'kubernetes.io/kubelet-serving',
    commonName: 'system:node:intruder',
    organization: 'system:nodes',
    dnsNames: ['intruder'],
    ipAddresses: ['10.0.0.99'],
  });
  const strayObj = await json(c, ['get', 'csr', stray]);
  assert.equal(strayObj.status, {});
  assert.match(await openssl(['req', '-noout', '-subject'], pemOf(strayObj.spec.request)), 'CN = system:node:intruder');

  const counts = approvals(c.doubles);
  assert.is(Object.keys(counts).length, 10, 'two CSRs for each of five machines');
  assert.ok(
    Object.values(counts).every((n) => n === 1),
    'each approved once',
  );
  assert.is(counts[stray], undefined);

  const done = await installer(c, 'install-complete');
  assert.is(done.exitCode, 0, done.stderr);
  assert.match(done.stdout, `for the cluster at https://${API} to initialize...`);
  assert.match(done.stdout, 'INFO All cluster operators have completed progressing\n');
  assert.match(done.stdout, 'INFO Install complete!\n');
  assert.match(done.stdout, `INFO     export KUBECONFIG=${c.install}/auth/kubeconfig\n`);
  const cv = await json(c, ['get', 'clusterversion', 'version']);
  assert.is(cv.status.history[0].state, 'Completed');
  assert.is(cond(cv, 'Available')?.message, 'Done applying 4.18.9');
  assert.is(cond(cv, 'Progressing')?.message, 'Cluster version is 4.18.9');
  assert.is(cond(cv, 'Failing')?.status, 'False');
});

test('without the bootstrap approver every machine waits for its CSRs to be approved', async (c) => {
  initCluster(c.doubles, {
    version: '4.18.9',
    nodes: NODES,
    etcdEndpoint: 'http://127.0.0.1:1',
    bootstrapApproves: false,
  });
  assert.is((await installer(c, 'bootstrap-complete')).exitCode, 0);
  assert.equal((await json(c, ['get', 'nodes'])).items, []);
  const cv = await json(c, ['get', 'clusterversion', 'version']);
  assert.is(cond(cv, 'Progressing')?.message, 'Working towards 4.18.9');
  const csrs = (await json(c, ['get', 'csr'])).items as Obj[];
  assert.is(csrs.length, 5);
  assert.ok(csrs.every((x) => x.spec.signerName === 'kubernetes.io/kube-apiserver-client-kubelet'));
  assert.is((await approveUntilReady(c)).length, 10);
  assert.equal(
    approvalLog(c.doubles)
      .map((e) => e.by)
      .filter((b) => b !== 'oc'),
    [],
  );
});

test('install-complete gives up with the installer text when nodes never join', async (c) => {
  init(c);
  assert.is((await installer(c, 'bootstrap-complete')).exitCode, 0);
  const r = await installer(c, 'install-complete', { FYR_DOUBLE_INSTALL_TIMEOUT_S: '1' });
  assert.is(r.exitCode, 1);
  assert.match(r.stdout, 'INFO Cluster operator authentication Progressing is True with Deploying: ');
  assert.match(r.stderr, 'ERROR Cluster operator authentication Available is False with Deploying: ');
  assert.match(
    r.stderr,
    'ERROR Cluster initialization failed because one or more operators are not functioning properly.\n',
  );
  assert.match(r.stderr, /FATAL failed to initialize the cluster: Working towards 4\.18\.9: \d+ of 903 done/);
});

test('steering: a NotReady node and a degraded operator show in the JSON', async (c) => {
  await installed(c);
  setNodeNotReady(c.doubles, 'worker-0');
  const w0 = await json(c, ['get', 'node', 'worker-0']);
  for (const type of ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'])
    assert.equal(
      { ...cond(w0, type), lastHeartbeatTime: 0, lastTransitionTime: 0 },
      {
        lastHeartbeatTime: 0,
        lastTransitionTime: 0,
        message: 'Kubelet stopped posting node status.',
        reason: 'NodeStatusUnknown',
        status: 'Unknown',
        type,
      },
    );
  assert.ok((w0.spec.taints as Obj[]).some((t) => t.key === 'node.kubernetes.io/unreachable'));
  const table = (await oc(c, ['get', 'nodes'])).stdout;
  assert.match(table, /^worker-0\s+NotReady\s+worker\s/m);

  assert.is((await steer(c, ['node-ready', 'worker-0'])).exitCode, 0);
  assert.is(cond(await json(c, ['get', 'nodes/worker-0']), 'Ready')?.status, 'True');
  assert.is(
    (await steer(c, ['node-not-ready', 'worker-1', '--reason', 'KubeletNotReady', '--message', 'PLEG is not healthy']))
      .exitCode,
    0,
  );
  const w1 = await json(c, ['get', 'node', 'worker-1']);
  assert.equal([cond(w1, 'Ready')?.status, cond(w1, 'Ready')?.message], ['False', 'PLEG is not healthy']);

  setOperatorCondition(c.doubles, 'etcd', 'Degraded', 'True', {
    reason: 'EtcdMembers_UnhealthyMembers',
    message: 'EtcdMembersDegraded: 2 of 3 members are available, cp-2 is unhealthy',
  });
  const etcd = await json(c, ['get', 'clusteroperator', 'etcd']);
  assert.equal(
    [cond(etcd, 'Degraded')?.status, cond(etcd, 'Degraded')?.reason, cond(etcd, 'Degraded')?.message],
    ['True', 'EtcdMembers_UnhealthyMembers', 'EtcdMembersDegraded: 2 of 3 members are available, cp-2 is unhealthy'],
  );
  const listed = ((await json(c, ['get', 'co'])).items as Obj[]).find((o) => o.metadata.name === 'etcd')!;
  assert.is(cond(listed, 'Degraded')?.status, 'True');
  const cv = await json(c, ['get', 'clusterversion', 'version']);
  assert.equal(
    [cond(cv, 'Failing')?.status, cond(cv, 'Failing')?.message],
    ['True', 'Cluster operator etcd is degraded'],
  );
  assert.is(cond(cv, 'Progressing')?.message, 'Error while reconciling 4.18.9: the cluster operator etcd is degraded');
  assert.is(
    objects(c.doubles).clusterOperators.find((o) => o.metadata.name === 'etcd')!.status.conditions[0].status,
    'True',
  );
});

test('a scheduled change applies on the first oc call after it is due, not before', async (c) => {
  await installed(c);
  const progressing = [
    'get',
    'co',
    'kube-apiserver',
    '-o',
    'jsonpath={.status.conditions[?(@.type=="Progressing")].status}',
  ];
  const s = await steer(c, [
    'operator',
    'kube-apiserver',
    'Progressing',
    'True',
    '--reason',
    'NodeInstaller',
    '--message',
    'NodeInstallerProgressing: 1 node is at revision 8',
    '--in',
    '2',
  ]);
  assert.is(s.exitCode, 0, s.stderr);
  const started = Date.now();
  assert.is((await oc(c, progressing)).stdout, 'False');
  assert.is(objects(c.doubles).clusterOperators.length, 33);
  while (Date.now() - started < 2100) await new Promise((r) => setTimeout(r, 100));
  const stored = objects(c.doubles).clusterOperators.find((o) => o.metadata.name === 'kube-apiserver')!;
  assert.is(
    stored.status.conditions.find((x: Obj) => x.type === 'Progressing').status,
    'False',
    'not applied by time alone',
  );
  assert.is((await oc(c, progressing)).stdout, 'True');
  const msg = await oc(c, [
    'get',
    'co',
    'kube-apiserver',
    '-o',
    'jsonpath={.status.conditions[?(@.type=="Progressing")].message}',
  ]);
  assert.is(msg.stdout, 'NodeInstallerProgressing: 1 node is at revision 8');
});

test('the kubelet signer date by jsonpath, never the secret data', async (c) => {
  init(c);
  assert.is((await installer(c, 'bootstrap-complete')).exitCode, 0);
  const path = '{.metadata.annotations.auth\\.openshift\\.io/certificate-not-after}';
  const forms = [
    [
      '--namespace',
      'openshift-kube-apiserver-operator',
      'get',
      'secret',
      'kube-apiserver-to-kubelet-signer',
      '--output',
      `jsonpath=${path}`,
    ],
    [
      '-n',
      'openshift-kube-apiserver-operator',
      'get',
      'secret',
      'kube-apiserver-to-kubelet-signer',
      '-o',
      `jsonpath=${path}`,
    ],
    [
      'get',
      'secret',
      'kube-apiserver-to-kubelet-signer',
      '--namespace=openshift-kube-apiserver-operator',
      `--output=jsonpath=${path}`,
    ],
  ];
  for (const args of forms) {
    const r = await oc(c, args);
    assert.is(r.exitCode, 0, r.stderr);
    assert.is(r.stdout, '2026-05-01T10:00:00Z');
  }
  const wrongNs = await oc(c, ['get', 'secret', 'kube-apiserver-to-kubelet-signer', '-o', `jsonpath=${path}`]);
  assert.is(wrongNs.stderr, 'Error from server (NotFound): secrets "kube-apiserver-to-kubelet-signer" not found');
  setSignerNotAfter(c.doubles, '2026-04-30T09:00:00Z');
  assert.is((await oc(c, forms[0]!)).stdout, '2026-04-30T09:00:00Z');
  // Other jsonpath forms work too.
  const names = await oc(c, ['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}']);
  assert.is(names.stdout, 'cp-0\ncp-1\ncp-2'); // execa drops the last newline
  const first = await oc(c, ['get', 'nodes', '-o', "jsonpath={.items[0].metadata.labels['kubernetes.io/hostname']}"]);
  assert.is(first.stdout, 'cp-0');
});

test('oc debug: cluster-backup.sh takes a real etcd snapshot, refuses during a rollout; host commands', async (c) => {
  c.etcd = await startEtcd({ dir: c.dir });
  await installed(c, c.etcd.endpoint);
  const backup = ['debug', '--as-root', 'node/cp-0', '--', 'chroot', '/host', '/usr/local/bin/cluster-backup.sh'];
  const r = await oc(c, [...backup, '/home/core/assets/backup']);
  assert.is(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(
    r.stderr,
    /^Starting pod\/cp-0-debug-[bcdfghjklmnpqrstvwxz2456789]{5} \.\.\.\nTo use host binaries, run `chroot \/host`\n/,
  );
  assert.ok(r.stderr.endsWith('\nRemoving debug pod ...'), r.stderr);
  assert.match(r.stdout, 'found latest kube-apiserver: /etc/kubernetes/static-pod-resources/kube-apiserver-pod-7\n');
  assert.match(r.stdout, 'found latest etcd: /etc/kubernetes/static-pod-resources/etcd-pod-3\n');
  assert.match(r.stdout, /Snapshot saved at \/home\/core\/assets\/backup\/snapshot_\d{4}-\d\d-\d\d_\d{6}\.db\n/);
  assert.not.match(r.stdout, c.doubles);
  assert.ok(r.stdout.endsWith('snapshot db and kube resources are successfully saved to /home/core/assets/backup'));

  const dir = join(c.doubles, 'cluster/hosts/cp-0/home/core/assets/backup');
  const files = (await readdir(dir)).sort();
  assert.is(files.length, 2);
  assert.match(files[0]!, /^snapshot_\d{4}-\d\d-\d\d_\d{6}\.db$/);
  assert.match(files[1]!, /^static_kuberesources_\d{4}-\d\d-\d\d_\d{6}\.tar\.gz$/);
  const status = JSON.parse(
    (await execa('etcdctl', ['snapshot', 'status', join(dir, files[0]!), '-w', 'json'], { env: { ETCDCTL_API: '3' } }))
      .stdout,
  ) as { totalKey: number };
  assert.ok(status.totalKey >= 300, `snapshot keys: ${status.totalKey}`);
  assert.is((await stat(join(dir, files[1]!))).mode & 0o777, 0o600);
  const listing = (await execa('tar', ['-tzf', join(dir, files[1]!)])).stdout;
  assert.match(listing, 'static-pod-resources/kube-apiserver-pod-7/');
  assert.match(listing, 'static-pod-resources/etcd-pod-3/');
  const ls = await oc(c, ['debug', 'node/cp-0', '--', 'chroot', '/host', 'ls', '-1', '/home/core/assets/backup']);
  assert.is(ls.stdout, files.join('\n'));

  setOperatorCondition(c.doubles, 'kube-apiserver', 'Progressing', 'True', {
    reason: 'NodeInstaller',
    message: 'NodeInstallerProgressing: 1 node is at revision 8',
  });
  const refused = await oc(c, [...backup, '/home/core/assets/backup2']);
  assert.is(refused.exitCode, 1);
  // The script's first lines (the etcd CA looked up on the host), then its refusal.
  assert.ok(
    refused.stdout.endsWith(
      '\nCurrently the kube-apiserver operator is progressing. A reliable backup requires that a rollout is not in progress.  Aborting!',
    ),
    refused.stdout,
  );
  assert.not.match(refused.stdout, 'found latest');
  assert.ok(refused.stderr.endsWith('\nRemoving debug pod ...\nerror: non-zero exit code from debug container'));
  const forced = await oc(c, [...backup, '--force', '/home/core/assets/backup2']);
  assert.is(forced.exitCode, 0, forced.stdout);
  assert.ok(
    (await readdir(join(c.doubles, 'cluster/hosts/cp-0/home/core/assets/backup2'))).every((f) =>
      f.includes('__POSSIBLY_DIRTY__'),
    ),
  );

  const worker = await oc(c, [
    'debug',
    'node/worker-0',
    '--',
    'chroot',
    '/host',
    '/usr/local/bin/cluster-backup.sh',
    '/tmp/b',
  ]);
  assert.is(worker.exitCode, 1);
  assert.is(
    worker.stdout,
    "chroot: failed to run command '/usr/local/bin/cluster-backup.sh': No such file or directory",
  );
  const missing = await oc(c, ['debug', 'node/cp-9', '--', 'chroot', '/host', 'ls']);
  assert.is([missing.exitCode, missing.stderr].join(' '), '1 Error from server (NotFound): nodes "cp-9" not found');
  setNodeNotReady(c.doubles, 'cp-2');
  const down = await oc(c, ['debug', 'node/cp-2', '--', 'chroot', '/host', 'ls']);
  assert.is(down.exitCode, 1);
  assert.ok(down.stderr.endsWith('\nRemoving debug pod ...\nerror: timed out waiting for the condition'));

  const sh = (args: string[]) => oc(c, ['debug', 'node/cp-1', '--', 'chroot', '/host', ...args]);
  assert.is((await sh(['mkdir', '-p', '/var/home/core/x/y'])).exitCode, 0);
  assert.is((await sh(['test', '-d', '/var/home/core/x/y'])).exitCode, 0);
  assert.is((await sh(['test', '-f', '/var/home/core/x/y'])).exitCode, 1);
  assert.is((await sh(['test', '-e', '/etc/hostname'])).exitCode, 0);
  assert.is((await sh(['cat', '/etc/hostname'])).stdout, 'cp-1');
  assert.is((await sh(['rm', '-rf', '/var/home/core/x'])).exitCode, 0);
  assert.is((await sh(['test', '-e', '/var/home/core/x'])).exitCode, 1);
  const nosuch = await sh(['cat', '/nope']);
  assert.is([nosuch.exitCode, nosuch.stdout].join(' '), '1 cat: /nope: No such file or directory');
  const unknown = await sh(['crictl', 'ps']);
  assert.is(unknown.stdout, "chroot: failed to run command 'crictl': No such file or directory");
});

test('oc debug cat streams a 100 MB file byte for byte', async (c) => {
  init(c);
  assert.is((await installer(c, 'bootstrap-complete')).exitCode, 0);
  const file = join(c.doubles, 'cluster/hosts/cp-0/var/tmp/big.bin');
  await mkdir(join(file, '..'), { recursive: true });
  const want = createHash('sha256');
  const out = createWriteStream(file);
  const block = randomBytes(1 << 20);
  for (let i = 0; i < 100; i++) {
    const chunk = Buffer.from(block);
    chunk.writeUInt32LE(i, 0);
    want.update(chunk);
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  const child = spawn(OC, ['debug', 'node/cp-0', '--', 'chroot', '/host', 'cat', '/var/tmp/big.bin'], {
    env: { ...process.env, ...env(c) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let maxRss = 0;
  const poll = setInterval(() => {
    void readFile(`/proc/${child.pid}/status`, 'utf8')
      .then((s) => {
        maxRss = Math.max(maxRss, Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? 0) * 1024);
      })
      .catch(() => undefined);
  }, 20);
  try {
    const got = createHash('sha256');
    let bytes = 0;
    child.stdout.on('data', (d: Buffer) => {
      got.update(d);
      bytes += d.length;
    });
    const code = await new Promise<number | null>((r) => child.on('close', r));
    assert.is(code, 0);
    assert.is(bytes, 100 << 20);
    assert.is(got.digest('hex'), want.digest('hex'));
    assert.ok(maxRss > 0 && maxRss < 100 << 20, `oc's resident size stayed under the file's: ${maxRss}`);
  } finally {
    clearInterval(poll);
    child.kill('SIGKILL');
  }
});

test('oc adm wait-for-stable-cluster: stable, and timing out on a degraded operator', async (c) => {
  await installed(c);
  const ok = await oc(c, ['adm', 'wait-for-stable-cluster', '--minimum-stable-period=30s', '--timeout=5m']);
  assert.is(ok.exitCode, 0, ok.stderr);
  assert.match(ok.stdout, /^All clusteroperators became stable at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n\n/);
  assert.match(ok.stdout, /All clusteroperators are still stable after \d+s\n/);
  assert.ok(ok.stdout.endsWith('\nAll clusteroperators are stable'));

  setOperatorCondition(c.doubles, 'etcd', 'Degraded', 'True', { reason: 'EtcdMembers_UnhealthyMembers', message: 'x' });
  const bad = await oc(c, ['adm', 'wait-for-stable-cluster', '--minimum-stable-period', '5s', '--timeout', '1m']);
  assert.is(bad.exitCode, 1);
  assert.is(bad.stderr, 'error: context deadline exceeded');
  assert.match(bad.stdout, /^clusteroperators\/etcd is degraded at \S+Z\n\n/);
  assert.match(bad.stdout, /clusteroperators\/etcd is still degraded after \d+s\n/);
  const invalid = await oc(c, ['adm', 'wait-for-stable-cluster', '--minimum-stable-period=5m', '--timeout=1m']);
  assert.is(invalid.stderr, 'error: --timeout must be greater than the --minimum-stable-period');
});

test('oc apply -f: created, configured, unchanged; documents, lists and stdin; kubectl errors', async (c) => {
  init(c);
  assert.is((await installer(c, 'bootstrap-complete')).exitCode, 0);
  const file = join(c.dir, 'signatures.yaml');
  const manifest = (data: string, labels = '  labels:\n    release.openshift.io/verification-signatures: ""\n') =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mirrored-release-signatures\n  namespace: openshift-config-managed\n${labels}binaryData:\n  sha256-0a1b-1: ${data}\n`;
  await writeFile(file, manifest('c2lnbmF0dXJlLTE='));
  const created = await oc(c, ['apply', '-f', file]);
  assert.is(
    [created.exitCode, created.stdout, created.stderr].join('|'),
    '0|configmap/mirrored-release-signatures created|',
  );
  const get = ['get', 'configmap', 'mirrored-release-signatures', '-n', 'openshift-config-managed'];
  let cm = await json(c, get);
  assert.equal(cm.binaryData, { 'sha256-0a1b-1': 'c2lnbmF0dXJlLTE=' });
  assert.equal(cm.metadata.labels, { 'release.openshift.io/verification-signatures': '' });
  assert.type(cm.metadata.uid, 'string');
  // kubectl's last-applied: the file's object as json.Marshal writes it, "annotations":{} and all.
  assert.is(
    cm.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'],
    '{"apiVersion":"v1","binaryData":{"sha256-0a1b-1":"c2lnbmF0dXJlLTE="},"kind":"ConfigMap","metadata":{"annotations":{},"labels":{"release.openshift.io/verification-signatures":""},"name":"mirrored-release-signatures","namespace":"openshift-config-managed"}}\n',
  );
  const again = await oc(c, ['apply', '--filename', file]);
  assert.is([again.exitCode, again.stdout].join('|'), '0|configmap/mirrored-release-signatures unchanged');
  assert.is((await json(c, get)).metadata.resourceVersion, cm.metadata.resourceVersion);
  // A changed value and a label the file no longer has: configured, the label gone.
  await writeFile(file, manifest('c2lnbmF0dXJlLTI=', ''));
  const changed = await oc(c, ['apply', `--filename=${file}`]);
  assert.is([changed.exitCode, changed.stdout].join('|'), '0|configmap/mirrored-release-signatures configured');
  cm = await json(c, get);
  assert.equal(cm.binaryData, { 'sha256-0a1b-1': 'c2lnbmF0dXJlLTI=' });
  assert.is(cm.metadata.labels, undefined);
  assert.match(
    (await oc(c, ['get', 'cm', '-n', 'openshift-config-managed'])).stdout,
    /^mirrored-release-signatures\s+1\s+\d+s$/m,
  );

  // Several documents with -n for those that name no namespace; a kind already served
  // (the ClusterVersion, not applied before: configured with kubectl's warning, fields the
  // file does not mention kept).
  const cv0 = await json(c, ['get', 'clusterversion', 'version']);
  const multi = join(c.dir, 'site.yaml');
  await writeFile(
    multi,
    [
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: fyr-site\n',
      '# a comment-only document\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: site\ndata:\n  release: "4.18.9"\n',
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  password: hunter2\n',
      'apiVersion: config.openshift.io/v1\nkind: ClusterVersion\nmetadata:\n  name: version\nspec:\n  channel: eus-4.18\n',
    ].join('---\n'),
  );
  const site = await oc(c, ['apply', '-f', multi, '-n', 'fyr-site']);
  assert.is(site.exitCode, 0, site.stderr);
  assert.is(
    site.stdout,
    'namespace/fyr-site created\nconfigmap/site created\nsecret/creds created\nclusterversion.config.openshift.io/version configured',
  );
  assert.is(
    site.stderr,
    'Warning: resource clusterversions/version is missing the kubectl.kubernetes.io/last-applied-configuration annotation which is required by oc apply. oc apply should only be used on resources created declaratively by either oc create --save-config or oc apply. The missing annotation will be patched automatically.',
  );
  const ns = await json(c, ['get', 'namespace', 'fyr-site']);
  assert.equal([ns.status.phase, ns.metadata.labels['kubernetes.io/metadata.name']], ['Active', 'fyr-site']);
  assert.is((await json(c, ['get', 'cm', 'site', '-n', 'fyr-site'])).data.release, '4.18.9');
  const secret = await json(c, ['get', 'secret', 'creds', '-n', 'fyr-site']);
  assert.equal([secret.type, secret.data, secret.stringData], ['Opaque', { password: 'aHVudGVyMg==' }, undefined]);
  const cv = await json(c, ['get', 'clusterversion', 'version']);
  assert.equal([cv.spec.channel, cv.spec.clusterID], ['eus-4.18', cv0.spec.clusterID]);
  assert.is(cv.metadata.generation, cv0.metadata.generation + 1);
  assert.equal(cv.status.desired, cv0.status.desired);

  // A v1 List on stdin (-f -); an unknown kind beside a known one.
  const list = {
    apiVersion: 'v1',
    kind: 'List',
    items: [1, 2].map((i) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `item-${i}` },
      data: { i: `${i}` },
    })),
  };
  const fromStdin = await execa(OC, ['apply', '-f', '-', '-n', 'fyr-site'], {
    reject: false,
    env: env(c),
    input: JSON.stringify(list),
  });
  assert.is([fromStdin.exitCode, fromStdin.stdout].join('|'), '0|configmap/item-1 created\nconfigmap/item-2 created');
  const mixed = join(c.dir, 'mixed.yaml');
  await writeFile(
    mixed,
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: known\n---\napiVersion: bar/v1\nkind: Foo\nmetadata:\n  name: x\n',
  );
  const unknown = await oc(c, ['apply', '-f', mixed]);
  assert.is(unknown.exitCode, 1);
  assert.is(unknown.stdout, 'configmap/known created');
  assert.is(
    unknown.stderr,
    `error: resource mapping not found for name: "x" namespace: "" from "${mixed}": no matches for kind "Foo" in version "bar/v1"\nensure CRDs are installed first`,
  );

  // Files that are not manifests, a namespace that does not exist, a value that is not a string.
  const bad = async (name: string, text: string) => {
    const p = join(c.dir, name);
    await writeFile(p, text);
    const r = await oc(c, ['apply', '-f', p]);
    assert.is([r.exitCode, r.stdout].join('|'), '1|', r.stderr);
    return r.stderr.replaceAll(c.dir, 'DIR');
  };
  assert.is(
    await bad('notes.txt', 'Remember to mirror the release first.\n'),
    'error: error validating "DIR/notes.txt": error validating data: invalid object to validate; if you choose to ignore these errors, turn validation off with --validate=false',
  );
  assert.is(
    await bad('broken.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: name: x\n'),
    'error: error parsing DIR/broken.yaml: error converting YAML to JSON: yaml: line 3: mapping values are not allowed in this context',
  );
  assert.is(
    await bad('broken.json', '{"apiVersion": "v1", "kind": "ConfigMap" "metadata": {"name": "x"}}'),
    `error: error parsing DIR/broken.json: json: offset 42: invalid character '"' after object key:value pair`,
  );
  assert.is(
    await bad('nokind.yaml', 'metadata:\n  name: x\n'),
    'error: error validating "DIR/nokind.yaml": error validating data: [apiVersion not set, kind not set]; if you choose to ignore these errors, turn validation off with --validate=false',
  );
  assert.is(
    await bad('elsewhere.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: nowhere\n'),
    'Error from server (NotFound): error when creating "DIR/elsewhere.yaml": namespaces "nowhere" not found',
  );
  assert.is(
    await bad('number.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  replicas: 3\n'),
    'Error from server (BadRequest): error when creating "DIR/number.yaml": ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string',
  );
  const missing = await oc(c, ['apply', '-f', join(c.dir, 'nope.yaml')]);
  assert.is(missing.stderr, `error: the path "${join(c.dir, 'nope.yaml')}" does not exist`);
  assert.is((await oc(c, ['apply'])).stderr, 'error: must specify one of -f and -k');
  const calls = await readFile(join(c.doubles, 'calls.log'), 'utf8');
  assert.ok(calls.includes(`${JSON.stringify(['oc', 'apply', '-f', multi, '-n', 'fyr-site'])}\n`));
});

test('oc patch: merge and json patches as kubectl prints them, and its errors', async (c) => {
  init(c);
  assert.is((await installer(c, 'bootstrap-complete')).exitCode, 0);
  assert.is(cond(await json(c, ['get', 'clusterversion', 'version']), 'Upgradeable')?.reason, 'AdminAckRequired');
  // The admin acknowledges the 4.19 API removals (day2.md §1.5); the CVO reads the ack.
  const ack = [
    'patch',
    'configmap',
    'admin-acks',
    '-n',
    'openshift-config',
    '--type=merge',
    '-p',
    '{"data":{"ack-4.18-kube-1.32-api-removals-in-4.19":"true"}}',
  ];
  const acked = await oc(c, ack);
  assert.is([acked.exitCode, acked.stdout, acked.stderr].join('|'), '0|configmap/admin-acks patched|');
  const acks = await json(c, ['get', 'cm', 'admin-acks', '-n', 'openshift-config']);
  assert.equal(acks.data, { 'ack-4.18-kube-1.32-api-removals-in-4.19': 'true' });
  assert.is(cond(await json(c, ['get', 'clusterversion', 'version']), 'Upgradeable'), undefined);
  const same = await oc(c, ack);
  assert.is([same.exitCode, same.stdout].join('|'), '0|configmap/admin-acks patched (no change)');
  assert.is(
    (await json(c, ['get', 'cm', 'admin-acks', '-n', 'openshift-config'])).metadata.resourceVersion,
    acks.metadata.resourceVersion,
  );

  // spec.desiredUpdate is stored (a custom resource: its generation counts the change; status stays).
  const cv0 = await json(c, ['get', 'clusterversion', 'version']);
  const update = { version: '4.18.12', image: 'quay.io/openshift-release-dev/ocp-release@sha256:' + 'a'.repeat(64) };
  const desired = await oc(c, [
    'patch',
    'clusterversion',
    'version',
    '--type',
    'merge',
    '--patch',
    JSON.stringify({ spec: { desiredUpdate: update }, status: { desired: { version: '9.9.9' } } }),
  ]);
  assert.is([desired.exitCode, desired.stdout].join('|'), '0|clusterversion.config.openshift.io/version patched');
  let cv = await json(c, ['get', 'clusterversion', 'version']);
  assert.equal(cv.spec.desiredUpdate, update);
  assert.is(cv.metadata.generation, cv0.metadata.generation + 1);
  assert.is(cv.status.desired.version, '4.18.9');
  // The default type, strategic, is refused by custom resources as the API server does.
  const strategic = await oc(c, ['patch', 'clusterversion/version', '-p', '{"spec":{"channel":"fast-4.18"}}']);
  assert.is(strategic.exitCode, 1);
  assert.is(
    strategic.stderr,
    'error: application/strategic-merge-patch+json is not supported by config.openshift.io/v1, Kind=ClusterVersion: the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
  );

  // JSON patch: test then replace; the second time the test fails and nothing changes.
  const channel = `--patch=[{"op":"test","path":"/spec/channel","value":"stable-4.18"},{"op":"replace","path":"/spec/channel","value":"fast-4.18"}]`;
  const replaced = await oc(c, ['patch', 'clusterversion', 'version', '--type=json', channel]);
  assert.is([replaced.exitCode, replaced.stdout].join('|'), '0|clusterversion.config.openshift.io/version patched');
  const failed = await oc(c, ['patch', 'clusterversion', 'version', '--type=json', channel]);
  assert.is(
    [failed.exitCode, failed.stdout, failed.stderr].join('|'),
    '1||The request is invalid: the server rejected our request due to an error in our request',
  );
  cv = await json(c, ['get', 'clusterversion', 'version']);
  assert.is(cv.spec.channel, 'fast-4.18');
  const added = await oc(c, [
    'patch',
    'cm',
    'admin-acks',
    '-n',
    'openshift-config',
    '--type',
    'json',
    '-p',
    '[{"op":"add","path":"/data/note","value":"acked"},{"op":"remove","path":"/data/ack-4.18-kube-1.32-api-removals-in-4.19"}]',
  ]);
  assert.is(added.stdout, 'configmap/admin-acks patched');
  assert.equal((await json(c, ['get', 'cm', 'admin-acks', '-n', 'openshift-config'])).data, { note: 'acked' });
  // A strategic merge patch (the default) on a built-in kind, as YAML.
  const yaml = await oc(c, [
    'patch',
    'configmap',
    'admin-acks',
    '-n',
    'openshift-config',
    '-p',
    'data:\n  note: null\n  other: "1"',
  ]);
  assert.is(yaml.stdout, 'configmap/admin-acks patched');
  assert.equal((await json(c, ['get', 'cm', 'admin-acks', '-n', 'openshift-config'])).data, { other: '1' });

  // NotFound as get says it; a patch that is not JSON as the API server rejects it.
  const nf = await oc(c, ['patch', 'clusterversion', 'nope', '--type', 'merge', '-p', '{}']);
  assert.is(
    [nf.exitCode, nf.stderr].join('|'),
    '1|Error from server (NotFound): clusterversions.config.openshift.io "nope" not found',
  );
  const nfCm = await oc(c, ['patch', 'configmap', 'admin-acks', '--type', 'merge', '-p', '{}']);
  assert.is(nfCm.stderr, 'Error from server (NotFound): configmaps "admin-acks" not found');
  const badJson = await oc(c, [
    'patch',
    'cm',
    'admin-acks',
    '-n',
    'openshift-config',
    '--type',
    'merge',
    '-p',
    "{data: {'a': 1}",
  ]);
  assert.is(
    [badJson.exitCode, badJson.stderr].join('|'),
    "1|Error from server (BadRequest): error decoding patch: invalid character 'd' looking for beginning of object key string",
  );
  const notList = await oc(c, [
    'patch',
    'cm',
    'admin-acks',
    '-n',
    'openshift-config',
    '--type',
    'json',
    '-p',
    '{"op":"add"}',
  ]);
  assert.is(
    notList.stderr,
    'Error from server (BadRequest): error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp',
  );
  assert.is(
    (await oc(c, ['patch', 'cm', 'admin-acks', '-n', 'openshift-config', '--type', 'apply', '-p', '{}'])).stderr,
    'error: --type must be one of [json merge strategic], not "apply"',
  );
  assert.is(
    (await oc(c, ['patch', 'cm', 'admin-acks', '-n', 'openshift-config'])).stderr,
    'error: must specify --patch or --patch-file containing the contents of the patch',
  );

  // Recorded, and a crash point right after the write: the change is stored, the caller killed.
  await writeFile(join(c.doubles, 'kill'), 'oc patch node\n');
  const killed = await execa(
    'sh',
    ['-c', `"${OC}" patch node cp-0 --type merge -p '{"spec":{"unschedulable":true}}'; echo survived`],
    {
      reject: false,
      env: env(c),
    },
  );
  assert.is(killed.signal, 'SIGKILL');
  assert.is(killed.stdout, 'node/cp-0 patched');
  assert.match((await oc(c, ['get', 'nodes'])).stdout, /^cp-0\s+Ready,SchedulingDisabled\s/m);
  const calls = await readFile(join(c.doubles, 'calls.log'), 'utf8');
  assert.ok(calls.includes(`${JSON.stringify(['oc', ...ack])}\n`));
});

test('without a fake cluster the doubles answer as before', async (c) => {
  await writeFile(join(c.doubles, 'state-csrs.json'), JSON.stringify([{ name: 'csr-a' }]));
  const list = await oc(c, ['get', 'csr', '--output', 'json']);
  assert.equal(JSON.parse(list.stdout).items, [{ metadata: { name: 'csr-a' }, status: {} }]);
  assert.is((await installer(c, 'install-complete')).stdout, 'INFO Install complete!');
  assert.is((await oc(c, ['version', '--client'])).exitCode, 0);
});

test.run();
