// The catalog, storage and operators phases against the fake cluster (test/doubles/cluster/,
// OLM v0 and LVMS there) and a real registry tree made by the oc-mirror double (real skopeo):
// the default sources off, the stick's CatalogSource READY, lvms-operator subscribed with
// Manual approval and its plan approved only for the carried CSV, the LVMCluster Ready, lvms-vg1
// the only default class, the image registry on a claim; then the site's own operator with its
// dependency. A kill right after the approval resumes without a second approval; a disk the
// node lacks fails with LVMS's own message; a release without the operator skips a default
// storage type and refuses an explicit one.
import { execa } from 'execa';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { stringify } from 'yaml';
import { DEFAULT_OPTIONS, type AgentContext } from '../../../src/agent/context.js';
import { catalog, operators, storage } from '../../../src/agent/phases/day2-operators.js';
import { runPhases } from '../../../src/agent/runner.js';
import { catalogPackages, readCatalog } from '../../../src/content/catalog.js';
import type { OperatorCatalog } from '../../../src/formats/operator-catalog.js';
import { CATALOG_REPO, withDependencies } from '../../doubles/catalog.mjs';
import { setDisks, setRegistry } from '../../doubles/cluster/index.mjs';
import { clusterContext, doubleCalls, killSwitch, NODES, type ClusterContext } from '../../helpers/cluster-context.js';
import { DOUBLES_BIN } from '../../helpers/connected.js';
import { startRegistry } from '../../helpers/registry.js';
import { makeTmpdir, removeTmpdir } from '../../helpers/tmpdir.js';

const DISK = '/dev/disk/by-path/pci-0000:00:05.0';
const HOST = 'bastion.edge.example.com:8443';
const PHASES = [catalog, storage, operators];

interface Mirrored {
  dir: string;
  tree: string;
  record: OperatorCatalog;
}
const test = suite<{ mirrored: Mirrored }>('agent :: operators :: phases', {} as { mirrored: Mirrored });

// The stick's registry tree: lvms-operator, web-terminal and what it requires, as fyr content
// mirrors them (the oc-mirror double into a real registry), and the record fyr content writes.
test.before(async (c) => {
  const dir = await makeTmpdir();
  const tree = join(dir, 'tree');
  await mkdir(join(dir, 'doubles'), { recursive: true });
  await mkdir(tree, { recursive: true });
  const registry = await startRegistry(tree, { dir });
  try {
    const isc = join(dir, 'isc.yaml');
    // oc-mirror v2 follows no dependency: the list fyr content ends with, required packages too.
    const names = withDependencies('4.18', ['lvms-operator', 'local-storage-operator', 'odf-operator', 'web-terminal']);
    await writeFile(
      isc,
      stringify({
        kind: 'ImageSetConfiguration',
        apiVersion: 'mirror.openshift.io/v2alpha1',
        mirror: { operators: [{ catalog: `${CATALOG_REPO}:v4.18`, packages: names.map((name) => ({ name })) }] },
      }),
    );
    await writeFile(join(dir, 'auth.json'), '{"auths":{}}');
    await execa(
      join(DOUBLES_BIN, 'oc-mirror'),
      [
        '--v2',
        '-c',
        isc,
        '--workspace',
        `file://${join(dir, 'ws')}`,
        `docker://${registry.host}`,
        '--authfile',
        join(dir, 'auth.json'),
      ],
      { env: { FYR_DOUBLES_DIR: join(dir, 'doubles') } },
    );
  } finally {
    await registry.stop();
  }
  const docs = await readCatalog(tree, 'redhat/redhat-operator-index', 'v4.18');
  const record: OperatorCatalog = {
    source: `${CATALOG_REPO}:v4.18`,
    mirror: 'redhat/redhat-operator-index:v4.18',
    catalogSource: 'cs-redhat-operator-index-v4-18',
    packages: catalogPackages(
      docs,
      ['lvms-operator', 'local-storage-operator', 'odf-operator', 'web-terminal'].map((name) => ({ name })),
      'catalog',
    ),
  };
  c.mirrored = { dir, tree, record };
});
test.after(async (c) => {
  if (c.mirrored) await removeTmpdir(c.mirrored.dir);
});

// A cluster with three storage-ready nodes, its registry the mirrored tree, and an agent context
// whose site asks for `storage` and `ops`, whose release carries `record`.
async function site(
  m: Mirrored,
  o: {
    type?: 'lvms' | 'odf' | 'none';
    defaulted?: boolean;
    ops?: Array<{ name: string }>;
    record?: OperatorCatalog;
    disk?: string;
  } = {},
): Promise<{
  cc: ClusterContext;
  calls: () => Promise<string[][]>;
  abortAfter: (match: (args: readonly string[]) => boolean) => void;
}> {
  const cc = await clusterContext();
  await cc.joinNodes();
  setRegistry(cc.doubles, { host: HOST, tree: m.tree });
  for (const n of NODES) setDisks(cc.doubles, n.name, [{ path: o.disk ?? DISK, bytes: 500 * 1024 ** 3 }]);
  const type = o.type ?? 'lvms';
  Object.assign(cc.ctx.site, {
    storage: {
      type,
      defaulted: o.defaulted ?? false,
      profile: 'balanced',
      nodes: type === 'none' ? [] : NODES.map((n) => ({ name: n.name, devices: [DISK] })),
    },
    operators: o.ops ?? [],
  });
  const ctx = cc.ctx as { -readonly [K in keyof AgentContext]: AgentContext[K] };
  ctx.release = {
    release: { name: 'ocp-4.18.9', openshift: '4.18.9' },
    ...(o.record === undefined && 'record' in o ? {} : { operators: o.record ?? m.record }),
  } as AgentContext['release'];
  ctx.options = { ...DEFAULT_OPTIONS, pollMs: 100, operatorTimeoutMs: 60_000 };
  ctx.sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const { killAfter } = killSwitch(cc.ctx);
  return {
    cc,
    calls: () => doubleCalls(cc.doubles),
    abortAfter: killAfter,
  };
}

const annotations = (sc: { metadata: { annotations?: Record<string, string> } }) =>
  sc.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'];

test('lvms and an operator from the stick: catalog READY, plans approved once, storage Ready and the default, the registry on it; a kill after the approval resumes', async ({
  mirrored,
}) => {
  const s = await site(mirrored, { ops: [{ name: 'web-terminal' }] });
  try {
    const { ctx } = s.cc;
    // Killed right after the storage operator's plan is approved, before the journal says so.
    s.abortAfter((args) => args.includes('installplan') && args.includes('patch'));
    await runPhases(ctx, PHASES).then(
      () => assert.unreachable('the kill stops the run'),
      () => undefined,
    );
    assert.is(ctx.store.state.phases.storage.status, 'running', 'storage is resumed, not failed');
    (ctx as { signal: AbortSignal }).signal = new AbortController().signal;
    await runPhases(ctx, PHASES);
    const calls = await s.calls();
    const oc = calls.filter((c) => c[0] === 'oc');
    // Each plan approved exactly once, though the agent was killed right after the first.
    const approvals = oc.filter((c) => c.includes('patch') && c.includes('installplan'));
    assert.is(approvals.length, 2, JSON.stringify(approvals));
    assert.is(oc.filter((c) => c.includes('operatorhub')).length, 1, 'the default sources turned off once');
    const st = ctx.store.state;
    assert.equal(
      ['catalog', 'storage', 'operators'].map((p) => st.phases[p as 'catalog'].status),
      ['done', 'done', 'done'],
    );
    assert.equal(st.storage?.storageClass, 'lvms-vg1');
    assert.ok((st.storage?.capacityBytes ?? 0) > 0, 'the capacity the nodes report');
    assert.equal(
      st.operators?.map((x) => `${x.name}=${x.csv}@${x.namespace}`),
      [
        `lvms-operator=${mirrored.record.packages.find((p) => p.name === 'lvms-operator')!.csv}@openshift-storage`,
        `web-terminal=${mirrored.record.packages.find((p) => p.name === 'web-terminal')!.csv}@openshift-operators`,
      ],
    );
    // What the cluster holds: the catalog on the bastion's registry, the default sources off,
    // Manual subscriptions, the CSVs the stick carries Succeeded, one default class.
    const cs = JSON.parse(
      (
        await execa(
          'oc',
          [
            '--namespace',
            'openshift-marketplace',
            'get',
            'catalogsource',
            'cs-redhat-operator-index-v4-18',
            '--output',
            'json',
          ],
          { env: env(s.cc) },
        )
      ).stdout,
    );
    assert.is(cs.spec.image, `${HOST}/redhat/redhat-operator-index:v4.18`, 'the CatalogSource names the bastion');
    assert.is(cs.status.connectionState.lastObservedState, 'READY');
    const hub = JSON.parse(
      (await execa('oc', ['get', 'operatorhub', 'cluster', '--output', 'json'], { env: env(s.cc) })).stdout,
    );
    assert.is(hub.spec.disableAllDefaultSources, true);
    const storageClasses = (await execa('oc', ['get', 'storageclass', '--output', 'json'], { env: env(s.cc) })).stdout;
    const classes = JSON.parse(storageClasses).items as Array<{
      metadata: { name: string; annotations?: Record<string, string> };
    }>;
    assert.equal(
      classes.filter((c) => annotations(c) === 'true').map((c) => c.metadata.name),
      ['lvms-vg1'],
    );
    const csvs = JSON.parse(
      (await execa('oc', ['get', 'clusterserviceversion', '--all-namespaces', '--output', 'json'], { env: env(s.cc) }))
        .stdout,
    ).items as Array<{ metadata: { name: string }; status: { phase: string } }>;
    const installed = ['lvms-operator', 'web-terminal', 'devworkspace-operator'];
    for (const p of mirrored.record.packages.filter((x) => installed.includes(x.name)))
      assert.ok(
        csvs.some((c) => c.metadata.name === p.csv && c.status.phase === 'Succeeded'),
        `${p.csv} Succeeded`,
      );
    const pvc = JSON.parse(
      (
        await execa(
          'oc',
          [
            '--namespace',
            'openshift-image-registry',
            'get',
            'persistentvolumeclaim',
            'image-registry-storage',
            '--output',
            'json',
          ],
          { env: env(s.cc) },
        )
      ).stdout,
    );
    assert.is(pvc.status.phase, 'Bound');
    // A second start finds every phase done and calls nothing.
    const before = (await s.calls()).length;
    await runPhases(ctx, PHASES);
    assert.is((await s.calls()).length, before);
  } finally {
    await s.cc.close();
  }
});

test('ODF: both operators with their dependencies, the nodes labelled, LocalVolumeSet and StorageCluster Ready, Ceph RBD the default, the registry on CephFS', async ({
  mirrored,
}) => {
  const s = await site(mirrored, { type: 'odf' });
  try {
    const { ctx } = s.cc;
    await runPhases(ctx, PHASES);
    assert.equal(ctx.store.state.storage?.type, 'odf');
    assert.equal(ctx.store.state.storage?.storageClass, 'ocs-storagecluster-ceph-rbd');
    assert.ok((ctx.store.state.storage?.capacityBytes ?? 0) > 0, "Ceph's raw capacity");
    assert.equal(
      ctx.store.state.operators?.map((o) => `${o.name}@${o.namespace}`),
      ['local-storage-operator@openshift-local-storage', 'odf-operator@openshift-storage'],
    );
    const get = async (args: string[]) =>
      JSON.parse((await execa('oc', [...args, '--output', 'json'], { env: env(s.cc) })).stdout);
    const sc = await get(['--namespace', 'openshift-storage', 'get', 'storagecluster', 'ocs-storagecluster']);
    assert.is(sc.status.phase, 'Ready');
    assert.is(sc.spec.resourceProfile, 'balanced');
    const nodes = (await get(['get', 'nodes'])).items as Array<{ metadata: { labels: Record<string, string> } }>;
    assert.ok(
      nodes.every((n) => 'cluster.ocs.openshift.io/openshift-storage' in n.metadata.labels),
      'labelled',
    );
    const classes = (await get(['get', 'storageclass'])).items as Array<{
      metadata: { name: string; annotations?: Record<string, string> };
    }>;
    assert.equal(
      classes.filter((c) => annotations(c) === 'true').map((c) => c.metadata.name),
      ['ocs-storagecluster-ceph-rbd'],
    );
    const pvc = await get([
      '--namespace',
      'openshift-image-registry',
      'get',
      'persistentvolumeclaim',
      'image-registry-storage',
    ]);
    assert.equal(
      [pvc.spec.storageClassName, pvc.spec.accessModes, pvc.status.phase],
      ['ocs-storagecluster-cephfs', ['ReadWriteMany'], 'Bound'],
    );
  } finally {
    await s.cc.close();
  }
});

test("a disk the nodes do not have: the storage phase fails with LVMS's own message", async ({ mirrored }) => {
  const s = await site(mirrored, { disk: '/dev/disk/by-path/pci-0000:00:06.0' });
  try {
    const err = await failure(runPhases(s.cc.ctx, PHASES), 'storage cannot be Ready');
    assert.match(err.message, /LVMCluster openshift-storage\/lvmcluster is Failed/);
    assert.match(err.message, /pci-0000:00:05\.0/, err.message);
    assert.is(s.cc.ctx.store.state.phases.storage.status, 'failed');
  } finally {
    await s.cc.close();
  }
});

test('a release without the operator: a default storage type is skipped, an explicit one refused', async ({
  mirrored,
}) => {
  const skipped = await site(mirrored, { defaulted: true, record: undefined });
  try {
    await runPhases(skipped.cc.ctx, PHASES);
    assert.match(skipped.cc.ctx.store.state.phases.storage.status, 'done');
    assert.not.ok(
      (await skipped.calls()).some((c) => c[0] === 'oc' && c.includes('apply')),
      'nothing applied',
    );
  } finally {
    await skipped.cc.close();
  }
  const refused = await site(mirrored, { record: undefined });
  try {
    const err = await failure(runPhases(refused.cc.ctx, PHASES), 'refused');
    assert.match(
      err.message,
      'storage lvms needs lvms-operator, which this release does not carry (fyr content --operator lvms-operator)',
    );
  } finally {
    await refused.cc.close();
  }
});

// The error a run ends with; a run that succeeds fails the test.
async function failure(run: Promise<unknown>, why: string): Promise<Error> {
  try {
    await run;
  } catch (err) {
    return err as Error;
  }
  throw new Error(`expected a failure: ${why}`);
}

function env(cc: ClusterContext): Record<string, string> {
  return {
    PATH: `${DOUBLES_BIN}:${process.env.PATH}`,
    FYR_DOUBLES_DIR: cc.doubles,
    FYR_DOUBLE_TIME_SCALE: '200',
    KUBECONFIG: cc.ctx.paths.kubeconfig,
  };
}

test.run();
