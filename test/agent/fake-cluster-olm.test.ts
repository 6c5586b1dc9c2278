// The fake cluster's operators and storage, driven through the command lines the agent uses
// (issue 30): the default OperatorHub sources disabled, a CatalogSource served from a catalog
// image that the real skopeo pushed into a real registry (the synthetic catalog of
// test/doubles/catalog.mjs), Subscriptions with Manual approval resolved from that catalog's
// content (ODF's dependencies in the same InstallPlan), the CSVs' phases, an image that is not
// in the registry (nothing is fetched from outside), then LVMS (LVMCluster, its StorageClass,
// the nodes' capacity, a missing disk), ODF on local disks (LocalVolumeSet, StorageCluster,
// CephCluster), the default StorageClass and the image registry's PVC. Time runs scaled.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CATALOG_REPO,
  filterCatalog,
  withDependencies,
  writeCatalogImage,
  writeRelatedImage,
  type FbcBundle,
  type FbcDocument,
} from '../doubles/catalog.mjs';
import { completeInstall, initCluster, setRegistry, type FakeNode } from '../doubles/cluster/index.mjs';
import { skopeo, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';
import { doublesBin } from '../doubles/bundle.mjs';

const OC = join(doublesBin(), 'oc');
const API = 'api.edge.example.com:6443';
const GiB = 2 ** 30;
// The same hardware in every node: the same by-path links.
const disk = (i: number) => `/dev/disk/by-path/pci-0000:03:00.0-scsi-0:0:${i}:0`;
const NODES: FakeNode[] = ['cp-0', 'cp-1', 'cp-2'].map((name, n) => ({
  name,
  ip: `10.0.0.1${n}`,
  role: 'control-plane',
  disks: [
    { path: disk(1), bytes: 100 * GiB },
    { path: disk(2), bytes: 200 * GiB },
  ],
}));
// The catalog on the stick: storage and, for the image that is left out, web-terminal.
const PACKAGES = withDependencies('4.18', ['lvms-operator', 'local-storage-operator', 'odf-operator', 'web-terminal']);
const CHANNELS: Record<string, string> = {
  'lvms-operator': 'stable-4.18',
  'local-storage-operator': 'stable',
  'odf-operator': 'stable-4.18',
};
const INDEX = 'redhat/redhat-operator-index';

type Obj = Record<string, any>;
interface Ctx {
  dir: string;
  doubles: string;
  kubeconfig: string;
  registry?: TestRegistry;
  tree: string;
  docs: FbcDocument[];
  left: string[];
}
const test = suite<Ctx>('agent :: fake cluster operators and storage (OLM, LVMS, ODF, image registry)', {
  dir: '',
  doubles: '',
  kubeconfig: '',
  tree: '',
  docs: [],
  left: [],
});

// One registry for the suite: the filtered catalog at redhat/redhat-operator-index:v4.18 and
// every image it names, as oc-mirror lays them out (<path>:sha256-<hex>), except the
// web-terminal operator's own image.
test.before(async (c) => {
  c.dir = await makeTmpdir();
  c.tree = join(c.dir, 'registry');
  c.registry = await startRegistry(c.tree, { dir: c.dir });
  c.docs = filterCatalog(
    '4.18',
    PACKAGES.map((name) => ({ name, ...(CHANNELS[name] ? { channel: CHANNELS[name] } : {}) })),
  );
  const layout = join(c.dir, 'layout');
  const push = async (hex: string, to: string) => {
    const r = await skopeo([
      'copy',
      '--quiet',
      '--preserve-digests',
      '--dest-tls-verify=false',
      `oci:${layout}:${hex}`,
      `docker://${c.registry!.host}/${to}`,
    ]);
    if (r.exitCode !== 0) throw new Error(`skopeo ${to}: ${r.all}`);
  };
  await push(writeCatalogImage(layout, c.docs).slice('sha256:'.length), `${INDEX}:v4.18`);
  const images = [
    ...new Set(
      c.docs
        .filter((d): d is FbcBundle => d.schema === 'olm.bundle')
        .flatMap((b) => b.relatedImages.map((r) => r.image)),
    ),
  ];
  c.left = images.filter((i) => i.includes('/web-terminal-rhel9-operator@'));
  const queue = images.filter((i) => !c.left.includes(i));
  const hexes = queue.map((ref) => writeRelatedImage(layout, ref).slice('sha256:'.length));
  const worker = async () => {
    for (let i = queue.length; i > 0; i = queue.length) {
      const ref = queue.pop()!;
      const hex = hexes.pop()!;
      const m = /^[^/]+\/(.+)@sha256:([0-9a-f]{64})$/.exec(ref)!;
      await push(hex, `${m[1]}:sha256-${m[2]}`);
    }
  };
  await Promise.all([worker(), worker(), worker()]);
});
test.after(async (c) => {
  await c.registry?.stop();
  await removeTmpdir(c.dir);
});

test.before.each(async (c) => {
  c.doubles = join(c.dir, `doubles-${Math.random().toString(36).slice(2)}`);
  c.kubeconfig = join(c.doubles, 'kubeconfig');
  await mkdir(c.doubles, { recursive: true });
  await writeFile(
    c.kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://${API}\n  name: edge\n`,
  );
  initCluster(c.doubles, {
    version: '4.18.9',
    nodes: NODES,
    etcdEndpoint: 'http://127.0.0.1:1',
    createdAt: '2025-05-01T10:00:00Z',
  });
  completeInstall(c.doubles);
  // Given later, as a helper can (the registry runs once the bastion serves the stick).
  setRegistry(c.doubles, { host: c.registry!.host, tree: c.tree });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const oc = (c: Ctx, args: string[]) =>
  execa(OC, args, {
    reject: false,
    env: { FYR_DOUBLES_DIR: c.doubles, KUBECONFIG: c.kubeconfig, FYR_DOUBLE_TIME_SCALE: '200' },
  });
async function get(c: Ctx, ns: string | undefined, ...what: string[]): Promise<Obj> {
  const r = await oc(c, [...(ns ? ['--namespace', ns] : []), 'get', ...what, '--output', 'json']);
  assert.is(r.exitCode, 0, r.stderr);
  return JSON.parse(r.stdout) as Obj;
}
async function until<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(100);
  }
}
async function applyYaml(c: Ctx, name: string, yaml: string) {
  const file = join(c.doubles, `${name}.yaml`);
  await writeFile(file, yaml);
  return oc(c, ['apply', '--filename', file]);
}
const cond = (list: Obj[] | undefined, type: string) => (list ?? []).find((x) => x.type === type);

const catalogSource = (
  image: string,
  name = 'cs-redhat-operator-index-v4-18',
) => `apiVersion: operators.coreos.com/v1alpha1
kind: CatalogSource
metadata:
  name: ${name}
  namespace: openshift-marketplace
spec:
  image: ${image}
  sourceType: grpc
`;
const idms = (host: string) => `apiVersion: config.openshift.io/v1
kind: ImageDigestMirrorSet
metadata:
  name: idms-operator-0
spec:
  imageDigestMirrors:
${['lvms4', 'openshift4', 'odf4', 'rhceph', 'web-terminal', 'devworkspace']
  .map((p) => `  - mirrors:\n    - ${host}/${p}\n    source: registry.redhat.io/${p}\n`)
  .join('')}`;
const subscribe = (ns: string, pkg: string, channel: string, og = true) => `apiVersion: v1
kind: Namespace
metadata:
  name: ${ns}
${
  og
    ? `---
apiVersion: operators.coreos.com/v1
kind: OperatorGroup
metadata:
  name: ${ns}
  namespace: ${ns}
spec:
  targetNamespaces:
  - ${ns}
`
    : ''
}---
apiVersion: operators.coreos.com/v1alpha1
kind: Subscription
metadata:
  name: ${pkg}
  namespace: ${ns}
spec:
  channel: ${channel}
  installPlanApproval: Manual
  name: ${pkg}
  source: cs-redhat-operator-index-v4-18
  sourceNamespace: openshift-marketplace
`;

async function catalogReady(c: Ctx) {
  const r = await applyYaml(
    c,
    'catalog',
    `${catalogSource(`${c.registry!.host}/${INDEX}:v4.18`)}---\n${idms(c.registry!.host)}`,
  );
  assert.is(r.exitCode, 0, r.stderr);
  await until('catalog READY', async () => {
    const cs = await get(c, 'openshift-marketplace', 'catalogsource', 'cs-redhat-operator-index-v4-18');
    return cs.status?.connectionState?.lastObservedState === 'READY';
  });
}

// Subscribe, approve the one InstallPlan the Subscription names once it waits for approval
// (checking its CSVs), and wait for every CSV of the plan to succeed. Returns the plan.
async function install(c: Ctx, ns: string, pkg: string, channel: string): Promise<Obj> {
  const r = await applyYaml(c, `${pkg}-sub`, subscribe(ns, pkg, channel));
  assert.is(r.exitCode, 0, r.stderr);
  const plan = await until(`${pkg} InstallPlan RequiresApproval`, async () => {
    const list = await get(c, ns, 'installplan');
    return (list.items as Obj[]).find((p) => p.status?.phase === 'RequiresApproval');
  });
  assert.match(plan.metadata.name, /^install-[a-z0-9]{5}$/);
  assert.is(plan.spec.approval, 'Manual');
  assert.is(plan.spec.approved, false);
  const sub = await get(c, ns, 'subscription', pkg);
  assert.is(sub.status.state, 'UpgradePending');
  assert.is(sub.status.installPlanRef.name, plan.metadata.name);
  assert.is(sub.status.installplan.name, plan.metadata.name);
  assert.is(sub.status.currentCSV, plan.spec.clusterServiceVersionNames[0]);
  assert.is(cond(sub.status.conditions, 'InstallPlanPending')?.reason, 'RequiresApproval');
  const approved = await oc(c, [
    '--namespace',
    ns,
    'patch',
    'installplan',
    plan.metadata.name,
    '--type',
    'merge',
    '--patch',
    '{"spec":{"approved":true}}',
  ]);
  assert.is(approved.exitCode, 0, approved.stderr);
  assert.is(approved.stdout, `installplan.operators.coreos.com/${plan.metadata.name} patched`);
  const mine = await until(`${pkg} CSVs Succeeded`, async () => {
    const csvs = (await get(c, ns, 'csv')).items as Obj[];
    const them = csvs.filter((x) => plan.spec.clusterServiceVersionNames.includes(x.metadata.name));
    return (
      them.length === plan.spec.clusterServiceVersionNames.length &&
      them.every((x) => x.status?.phase === 'Succeeded') &&
      them
    );
  });
  const csv = mine.find((x: Obj) => x.metadata.name === plan.spec.clusterServiceVersionNames[0])!;
  assert.equal(
    csv.status.conditions.map((x: Obj) => x.phase),
    ['Pending', 'InstallReady', 'Installing', 'Succeeded'],
  );
  assert.is(csv.status.reason, 'InstallSucceeded');
  assert.is(csv.status.message, 'install strategy completed with no errors');
  // The catalog operator's same sync: the plan Complete, the Subscription at its CSV.
  const [done, after] = await Promise.all([
    get(c, ns, 'installplan', plan.metadata.name),
    get(c, ns, 'subscription', pkg),
  ]);
  assert.is(done.status.phase, 'Complete');
  assert.is(after.status.state, 'AtLatestKnown');
  assert.is(after.status.installedCSV, plan.spec.clusterServiceVersionNames[0]);
  assert.not.ok(cond(after.status.conditions, 'InstallPlanPending'));
  return plan;
}

test('the default OperatorHub sources are disabled by the JSON patch and their CatalogSources go', async (c) => {
  const hub = await get(c, undefined, 'operatorhub', 'cluster');
  assert.equal(
    hub.status.sources.map((s: Obj) => [s.name, s.disabled]),
    [
      ['certified-operators', false],
      ['community-operators', false],
      ['redhat-marketplace', false],
      ['redhat-operators', false],
    ],
  );
  // Offline, the default sources cannot pull their index images from registry.redhat.io.
  const failing = await until('default sources TRANSIENT_FAILURE', async () => {
    const list = (await get(c, 'openshift-marketplace', 'catalogsource')).items as Obj[];
    return (
      list.length === 4 &&
      list.every((x) => x.status?.connectionState?.lastObservedState === 'TRANSIENT_FAILURE') &&
      list
    );
  });
  assert.ok(failing.some((x: Obj) => x.spec.image === 'registry.redhat.io/redhat/redhat-operator-index:v4.18'));
  const r = await oc(c, [
    'patch',
    'operatorhub',
    'cluster',
    '--type',
    'json',
    '--patch',
    '[{"op":"add","path":"/spec/disableAllDefaultSources","value":true}]',
  ]);
  assert.is(r.exitCode, 0, r.stderr);
  assert.is(r.stdout, 'operatorhub.config.openshift.io/cluster patched');
  const after = await get(c, undefined, 'operatorhub', 'cluster');
  assert.ok(after.status.sources.every((s: Obj) => s.disabled === true));
  const left = await oc(c, ['--namespace', 'openshift-marketplace', 'get', 'catalogsource']);
  assert.is(left.stdout, '');
  assert.is(left.stderr, 'No resources found in openshift-marketplace namespace.');
  const pods = (await get(c, 'openshift-marketplace', 'pods')).items as Obj[];
  assert.is(pods.length, 0);
});

test('a CatalogSource on the site registry turns READY; one on registry.redhat.io fails to pull', async (c) => {
  const r = await applyYaml(
    c,
    'sources',
    `${catalogSource(`${c.registry!.host}/${INDEX}:v4.18`)}---\n${catalogSource(`${CATALOG_REPO}:v4.18`, 'outside')}`,
  );
  assert.is(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /catalogsource.operators.coreos.com\/cs-redhat-operator-index-v4-18 created/);
  const first = await get(c, 'openshift-marketplace', 'catalogsource', 'cs-redhat-operator-index-v4-18');
  assert.is(first.status.connectionState.lastObservedState, 'CONNECTING');
  await catalogReady(c);
  const outside = await until('outside TRANSIENT_FAILURE', async () => {
    const cs = await get(c, 'openshift-marketplace', 'catalogsource', 'outside');
    return cs.status?.connectionState?.lastObservedState === 'TRANSIENT_FAILURE' && cs;
  });
  assert.is(outside.status.connectionState.address, 'outside.openshift-marketplace.svc:50051');
  const pod = ((await get(c, 'openshift-marketplace', 'pods')).items as Obj[]).find(
    (p) => p.metadata.labels['olm.catalogSource'] === 'outside',
  )!;
  const waiting = pod.status.containerStatuses[0].state.waiting;
  assert.ok(['ErrImagePull', 'ImagePullBackOff'].includes(waiting.reason));
  assert.match(waiting.message, /pinging container registry registry\.redhat\.io: .*no such host/);
  const table = await oc(c, ['--namespace', 'openshift-marketplace', 'get', 'catsrc']);
  assert.match(table.stdout, /^NAME\s+DISPLAY\s+TYPE\s+PUBLISHER\s+AGE\n/);
  assert.match(table.stdout, /\ncs-redhat-operator-index-v4-18\s+grpc\s+\d+s$/m);
});

test('a package the catalog lacks: ResolutionFailed as OLM writes it; no OperatorGroup: the plan cannot install', async (c) => {
  await catalogReady(c);
  const r = await applyYaml(c, 'nothing', subscribe('openshift-nothing', 'no-such-operator', 'stable'));
  assert.is(r.exitCode, 0, r.stderr);
  const sub = await until('ResolutionFailed', async () => {
    const s = await get(c, 'openshift-nothing', 'subscription', 'no-such-operator');
    return cond(s.status?.conditions, 'ResolutionFailed') && s;
  });
  const failed = cond(sub.status.conditions, 'ResolutionFailed')!;
  assert.is(failed.status, 'True');
  assert.is(failed.reason, 'ConstraintsNotSatisfiable');
  assert.is(
    failed.message,
    'constraints not satisfiable: no operators found in package no-such-operator in the catalog referenced by subscription no-such-operator, subscription no-such-operator exists',
  );
  assert.is(sub.status.installPlanRef, undefined);
  assert.is(((await get(c, 'openshift-nothing', 'installplan')).items as Obj[]).length, 0);
  // A wrong channel of a real package.
  await applyYaml(c, 'channel', subscribe('openshift-lvm-storage', 'lvms-operator', 'stable-9.9'));
  const wrong = await until('channel ResolutionFailed', async () => {
    const s = await get(c, 'openshift-lvm-storage', 'subscription', 'lvms-operator');
    return cond(s.status?.conditions, 'ResolutionFailed') && s;
  });
  assert.match(
    cond(wrong.status.conditions, 'ResolutionFailed')!.message,
    /no operators found in channel stable-9\.9 of package lvms-operator/,
  );
  // Without an OperatorGroup the plan is made but cannot install (the attenuated service
  // account querier's error, projected onto the Subscription).
  await applyYaml(c, 'no-og', subscribe('openshift-no-og', 'lvms-operator', 'stable-4.18', false));
  const pending = await until('InstallCheckFailed', async () => {
    const s = await get(c, 'openshift-no-og', 'subscription', 'lvms-operator');
    const p = cond(s.status?.conditions, 'InstallPlanPending');
    return p?.message && p;
  });
  assert.is(pending.reason, 'RequiresApproval');
  assert.is(pending.message, 'no operator group found that is managing this namespace');
});

test('an LVMCluster before its operator is refused (no CRD); LVMS installed: Ready, StorageClass, capacity; the image registry on it', async (c) => {
  const lvmcluster = `apiVersion: lvm.topolvm.io/v1alpha1
kind: LVMCluster
metadata:
  name: lvmcluster
  namespace: openshift-lvm-storage
spec:
  storage:
    deviceClasses:
    - name: vg1
      default: true
      fstype: xfs
      deviceSelector:
        paths:
        - ${disk(1)}
        optionalPaths:
        - ${disk(2)}
      thinPoolConfig:
        name: thin-pool-1
        sizePercent: 90
        overprovisionRatio: 10
`;
  await catalogReady(c);
  const early = await applyYaml(c, 'lvmcluster', lvmcluster);
  assert.is(early.exitCode, 1);
  assert.match(
    early.stderr,
    /^error: resource mapping not found for name: "lvmcluster" namespace: "openshift-lvm-storage" from ".*lvmcluster\.yaml": no matches for kind "LVMCluster" in version "lvm\.topolvm\.io\/v1alpha1"\nensure CRDs are installed first$/,
  );
  const noType = await oc(c, ['--namespace', 'openshift-lvm-storage', 'get', 'lvmcluster']);
  assert.is(noType.stderr, 'error: the server doesn\'t have a resource type "lvmcluster"');

  const plan = await install(c, 'openshift-lvm-storage', 'lvms-operator', 'stable-4.18');
  assert.equal(plan.spec.clusterServiceVersionNames, ['lvms-operator.v4.18.3']);

  const applied = await applyYaml(c, 'lvmcluster', lvmcluster);
  assert.is(applied.exitCode, 0, applied.stderr);
  assert.is(applied.stdout, 'lvmcluster.lvm.topolvm.io/lvmcluster created');
  const states = new Set<string>();
  const lvm = await until('LVMCluster Ready', async () => {
    const o = await get(c, 'openshift-lvm-storage', 'lvmcluster', 'lvmcluster');
    if (o.status?.state) states.add(o.status.state);
    return o.status?.state === 'Ready' && o;
  });
  assert.ok(states.has('Progressing'), [...states].join());
  assert.is(lvm.status.ready, true);
  assert.is(cond(lvm.status.conditions, 'VolumeGroupsReady')?.reason, 'VGsReady');
  const vg1 = lvm.status.deviceClassStatuses.find((d: Obj) => d.name === 'vg1');
  assert.equal(
    vg1.nodeStatus.map((n: Obj) => [n.node, n.status, n.devices]),
    [
      ['cp-0', 'Ready', ['/dev/sdb', '/dev/sdc']],
      ['cp-1', 'Ready', ['/dev/sdb', '/dev/sdc']],
      ['cp-2', 'Ready', ['/dev/sdb', '/dev/sdc']],
    ],
  );
  const sc = await get(c, undefined, 'storageclass', 'lvms-vg1');
  assert.is(sc.provisioner, 'topolvm.io');
  assert.is(sc.volumeBindingMode, 'WaitForFirstConsumer');
  assert.is(sc.metadata.annotations['storageclass.kubernetes.io/is-default-class'], 'true');
  assert.equal(sc.parameters, { 'csi.storage.k8s.io/fstype': 'xfs', 'topolvm.io/device-class': 'vg1' });
  const vsc = await get(c, undefined, 'volumesnapshotclass', 'lvms-vg1');
  assert.is(vsc.driver, 'topolvm.io');
  const nodes = (await get(c, undefined, 'nodes')).items as Obj[];
  const cap = Object.fromEntries(
    nodes.map((n) => [n.metadata.name, n.metadata.annotations['capacity.topolvm.io/vg1']]),
  );
  assert.equal(cap, {
    'cp-0': String(Math.floor((300 * GiB * 90) / 100) * 10),
    'cp-1': String(Math.floor((300 * GiB * 90) / 100) * 10),
    'cp-2': String(Math.floor((300 * GiB * 90) / 100) * 10),
  });
  const table = await oc(c, ['get', 'storageclass']);
  assert.match(table.stdout, /^NAME\s+PROVISIONER\s+RECLAIMPOLICY\s+VOLUMEBINDINGMODE\s+ALLOWVOLUMEEXPANSION\s+AGE\n/);
  assert.match(table.stdout, /\nlvms-vg1 \(default\)\s+topolvm\.io\s+Delete\s+WaitForFirstConsumer\s+true\s+\d+s$/m);

  // The image registry: Removed as installed; an RWO claim on lvms-vg1 needs Recreate.
  const reg0 = await get(c, undefined, 'configs.imageregistry.operator.openshift.io', 'cluster');
  assert.is(reg0.spec.managementState, 'Removed');
  assert.equal(reg0.spec.storage, {});
  assert.is(cond(reg0.status.conditions, 'Available')?.message, 'The registry is removed');
  const pvc = await applyYaml(
    c,
    'pvc',
    `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: image-registry-storage
  namespace: openshift-image-registry
spec:
  accessModes:
  - ReadWriteOnce
  resources:
    requests:
      storage: 100Gi
  storageClassName: lvms-vg1
`,
  );
  assert.is(pvc.exitCode, 0, pvc.stderr);
  const patchRegistry = (json: string) =>
    oc(c, ['patch', 'configs.imageregistry.operator.openshift.io', 'cluster', '--type', 'merge', '--patch', json]);
  const rolling = await patchRegistry(
    '{"spec":{"managementState":"Managed","storage":{"pvc":{"claim":"image-registry-storage"}}}}',
  );
  assert.is(rolling.stdout, 'config.imageregistry.operator.openshift.io/cluster patched');
  const refused = await until('RWO with RollingUpdate refused', async () => {
    const o = await get(c, undefined, 'configs.imageregistry.operator.openshift.io', 'cluster');
    return cond(o.status.conditions, 'Progressing')?.reason === 'Error' && o;
  });
  assert.is(
    cond(refused.status.conditions, 'Progressing')!.message,
    'Unable to apply resources: cannot use ReadWriteOnce access mode with RollingUpdate rollout strategy',
  );
  const unbound = await get(c, 'openshift-image-registry', 'pvc', 'image-registry-storage');
  assert.is(unbound.status.phase, 'Pending', 'WaitForFirstConsumer: no consumer yet');
  await patchRegistry('{"spec":{"rolloutStrategy":"Recreate","replicas":1}}');
  const ready = await until('registry Available', async () => {
    const o = await get(c, undefined, 'configs.imageregistry.operator.openshift.io', 'cluster');
    return cond(o.status.conditions, 'Available')?.reason === 'Ready' && o;
  });
  assert.is(cond(ready.status.conditions, 'Available')!.message, 'The registry is ready');
  assert.is(cond(ready.status.conditions, 'StorageExists')!.reason, 'PVC Exists');
  assert.equal(ready.status.storage, { pvc: { claim: 'image-registry-storage' } });
  const bound = await get(c, 'openshift-image-registry', 'pvc', 'image-registry-storage');
  assert.is(bound.status.phase, 'Bound');
  assert.is(bound.status.capacity.storage, '100Gi');
  assert.ok(bound.metadata.annotations['volume.kubernetes.io/selected-node']);
  const pv = await get(c, undefined, 'pv', bound.spec.volumeName);
  assert.is(pv.spec.csi.driver, 'topolvm.io');
});

test('LVMS: a device path missing on a node makes the LVMCluster Failed with vg-manager’s error', async (c) => {
  await catalogReady(c);
  await install(c, 'openshift-lvm-storage', 'lvms-operator', 'stable-4.18');
  const missing = '/dev/disk/by-path/pci-0000:09:00.0-nvme-1';
  const r = await applyYaml(
    c,
    'lvmcluster',
    `apiVersion: lvm.topolvm.io/v1alpha1
kind: LVMCluster
metadata:
  name: lvmcluster
  namespace: openshift-lvm-storage
spec:
  storage:
    deviceClasses:
    - name: vg1
      default: true
      deviceSelector:
        paths:
        - ${disk(1)}
        - ${missing}
`,
  );
  assert.is(r.exitCode, 0, r.stderr);
  const lvm = await until('LVMCluster Failed', async () => {
    const o = await get(c, 'openshift-lvm-storage', 'lvmcluster', 'lvmcluster');
    return o.status?.state === 'Failed' && o;
  });
  assert.is(lvm.status.ready, undefined);
  assert.is(cond(lvm.status.conditions, 'VolumeGroupsReady')?.message, 'One or more VGs are failed');
  const node = lvm.status.deviceClassStatuses[0].nodeStatus[0];
  assert.is(node.status, 'Failed');
  assert.is(
    node.reason,
    `failed to resolve symlink to determine available or setup path: lstat ${missing}: no such file or directory`,
  );
});

test('ODF: odf-operator with its dependencies in one InstallPlan, LocalVolumeSet, StorageCluster Ready on 3 nodes, the default StorageClass', async (c) => {
  await catalogReady(c);
  const [lso, odf] = await Promise.all([
    install(c, 'openshift-local-storage', 'local-storage-operator', 'stable'),
    install(c, 'openshift-storage', 'odf-operator', 'stable-4.18'),
  ]);
  assert.equal(lso.spec.clusterServiceVersionNames, ['local-storage-operator.v4.18.0-202502260503']);
  const names = odf.spec.clusterServiceVersionNames as string[];
  assert.is(names[0], 'odf-operator.v4.18.3-rhodf');
  for (const pkg of ['odf-dependencies', 'ocs-operator', 'rook-ceph-operator', 'mcg-operator', 'cephcsi-operator'])
    assert.ok(
      names.some((n) => n.startsWith(`${pkg}.v4.18.`)),
      `${pkg} in ${names.join()}`,
    );
  // The resolver's Subscriptions for the dependencies.
  const subs = ((await get(c, 'openshift-storage', 'subscription')).items as Obj[]).map((s) => s.metadata.name);
  assert.ok(
    subs.includes('ocs-operator-stable-4.18-cs-redhat-operator-index-v4-18-openshift-marketplace'),
    subs.join(),
  );

  const lvs = await applyYaml(
    c,
    'lvs',
    `apiVersion: local.storage.openshift.io/v1alpha1
kind: LocalVolumeSet
metadata:
  name: localblock
  namespace: openshift-local-storage
spec:
  storageClassName: localblock
  volumeMode: Block
  maxDeviceCount: 1
  deviceInclusionSpec:
    deviceTypes: [disk]
    deviceMechanicalProperties: [NonRotational]
    minSize: 150Gi
`,
  );
  assert.is(lvs.exitCode, 0, lvs.stderr);
  const pvs = await until('3 localblock PVs', async () => {
    const list = ((await get(c, undefined, 'pv')).items as Obj[]).filter(
      (p) => p.spec.storageClassName === 'localblock',
    );
    return list.length === 3 && list;
  });
  assert.equal(
    pvs.map((p: Obj) => [p.metadata.labels['kubernetes.io/hostname'], p.spec.capacity.storage, p.status.phase]).sort(),
    [
      ['cp-0', '200Gi', 'Available'],
      ['cp-1', '200Gi', 'Available'],
      ['cp-2', '200Gi', 'Available'],
    ],
  );
  const sc = await get(c, undefined, 'storageclass', 'localblock');
  assert.is(sc.provisioner, 'kubernetes.io/no-provisioner');

  const storageCluster = await applyYaml(
    c,
    'storagecluster',
    `apiVersion: ocs.openshift.io/v1
kind: StorageCluster
metadata:
  name: ocs-storagecluster
  namespace: openshift-storage
spec:
  manageNodes: false
  monDataDirHostPath: /var/lib/rook
  resourceProfile: lean
  storageDeviceSets:
  - name: ocs-deviceset
    count: 1
    replica: 3
    portable: false
    dataPVCTemplate:
      spec:
        storageClassName: localblock
        volumeMode: Block
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: "1"
`,
  );
  assert.is(storageCluster.exitCode, 0, storageCluster.stderr);
  // No node labelled for ODF yet.
  const error = await until('StorageCluster Error', async () => {
    const o = await get(c, 'openshift-storage', 'storagecluster', 'ocs-storagecluster');
    return o.status?.phase === 'Error' && o;
  });
  assert.is(
    cond(error.status.conditions, 'ReconcileComplete')?.message,
    'Error while reconciling: not enough nodes found: expected 3, found 0',
  );
  for (const n of NODES) {
    const r = await oc(c, [
      'patch',
      'node',
      n.name,
      '--type',
      'merge',
      '--patch',
      '{"metadata":{"labels":{"cluster.ocs.openshift.io/openshift-storage":""}}}',
    ]);
    assert.is(r.exitCode, 0, r.stderr);
  }
  const ready = await until('StorageCluster Ready', async () => {
    const o = await get(c, 'openshift-storage', 'storagecluster', 'ocs-storagecluster');
    return o.status?.phase === 'Ready' && o;
  });
  assert.is(cond(ready.status.conditions, 'Available')?.status, 'True');
  const ceph = await get(c, 'openshift-storage', 'cephcluster', 'ocs-storagecluster-cephcluster');
  assert.is(ceph.status.phase, 'Ready');
  assert.is(ceph.status.ceph.health, 'HEALTH_OK');
  assert.is(ceph.status.ceph.capacity.bytesTotal, 3 * 200 * GiB);
  assert.ok(ceph.status.ceph.capacity.bytesAvailable < ceph.status.ceph.capacity.bytesTotal);
  const classes = ((await get(c, undefined, 'storageclass')).items as Obj[]).map((s) => s.metadata.name).sort();
  assert.equal(classes, [
    'localblock',
    'ocs-storagecluster-ceph-rbd',
    'ocs-storagecluster-cephfs',
    'openshift-storage.noobaa.io',
  ]);
  const def = await oc(c, [
    'patch',
    'storageclass',
    'ocs-storagecluster-ceph-rbd',
    '--type',
    'merge',
    '--patch',
    '{"metadata":{"annotations":{"storageclass.kubernetes.io/is-default-class":"true"}}}',
  ]);
  assert.is(def.exitCode, 0, def.stderr);
  assert.is(def.stdout, 'storageclass.storage.k8s.io/ocs-storagecluster-ceph-rbd patched');
  const table = await oc(c, ['get', 'storageclass']);
  assert.match(
    table.stdout,
    /\nocs-storagecluster-ceph-rbd \(default\)\s+openshift-storage\.rbd\.csi\.ceph\.com\s+Delete\s+Immediate\s+true\s/,
  );
});

test('a CSV whose image is not in the site registry fails; nothing is fetched from outside', async (c) => {
  await catalogReady(c);
  await applyYaml(c, 'wt', subscribe('openshift-web-terminal', 'web-terminal', 'fast'));
  const plan = await until('web-terminal plan', async () => {
    const list = (await get(c, 'openshift-web-terminal', 'installplan')).items as Obj[];
    return list.find((p) => p.status?.phase === 'RequiresApproval');
  });
  // Its dependency is resolved into the same plan.
  assert.equal(plan.spec.clusterServiceVersionNames.length, 2);
  await oc(c, [
    '--namespace',
    'openshift-web-terminal',
    'patch',
    'installplan',
    plan.metadata.name,
    '--type',
    'merge',
    '--patch',
    '{"spec":{"approved":true}}',
  ]);
  const csv = await until('web-terminal CSV Failed', async () => {
    const o = ((await get(c, 'openshift-web-terminal', 'csv')).items as Obj[]).find((x) =>
      x.metadata.name.startsWith('web-terminal.'),
    );
    return o?.status?.phase === 'Failed' && o;
  });
  assert.is(csv.status.reason, 'InstallCheckFailed');
  assert.match(csv.status.message, /^install failed: deployment web-terminal not ready before timeout/);
  const pod = ((await get(c, 'openshift-web-terminal', 'pods')).items as Obj[]).find((p) =>
    p.metadata.name.startsWith('web-terminal-'),
  )!;
  const waiting = pod.status.containerStatuses[0].state.waiting;
  assert.is(waiting.reason, 'ImagePullBackOff');
  assert.ok(waiting.message.includes(c.left[0]!), waiting.message);
  assert.match(waiting.message, /manifest unknown|no such host/);
});

test.run();
