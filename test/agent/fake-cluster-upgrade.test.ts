// The fake cluster's update, driven through the real command lines (`oc adm upgrade
// --allow-explicit-upgrade --to-image=…@sha256:…`, `oc apply -f` of the signature ConfigMap,
// `oc get clusterversion`): oc's own refusals (a tag without --force, no explicit image, "the
// cluster is already upgrading"), the cluster-version operator's (ReleaseAccepted=False for an
// unsigned or unpullable payload, a skipped minor, a downgrade), and an accepted update
// followed the way ClusterVersion shows it (history Partial then Completed, Progressing
// "Working towards … N of M done", "waiting on machine-config" while the nodes are cordoned and
// rebooted one at a time, the operators' versions moved). Time runs scaled.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { completeInstall, initCluster, objects, publishRelease } from '../doubles/cluster/index.mjs';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';
import { doublesBin } from '../doubles/bundle.mjs';

const OC = join(doublesBin(), 'oc');
const API = 'api.edge.example.com:6443';
const hex = (c: string) => c.repeat(64);
const NEXT = { version: '4.18.10', image: `quay.io/openshift-release-dev/ocp-release@sha256:${hex('a')}` };
const SKIP = { version: '4.20.1', image: `quay.io/openshift-release-dev/ocp-release@sha256:${hex('b')}` };
const OLDER = { version: '4.18.2', image: `quay.io/openshift-release-dev/ocp-release@sha256:${hex('c')}` };
const UNPUBLISHED = `quay.io/openshift-release-dev/ocp-release@sha256:${hex('d')}`;

type Obj = Record<string, any>;
interface Ctx {
  dir: string;
  doubles: string;
  kubeconfig: string;
}
const test = suite<Ctx>('agent :: fake cluster update (oc adm upgrade, ClusterVersion)', {
  dir: '',
  doubles: '',
  kubeconfig: '',
});

test.before.each(async (c) => {
  c.dir = await makeTmpdir();
  c.doubles = join(c.dir, 'doubles');
  c.kubeconfig = join(c.dir, 'kubeconfig');
  await mkdir(c.doubles, { recursive: true });
  await writeFile(
    c.kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://${API}\n  name: edge\n`,
  );
  initCluster(c.doubles, {
    version: '4.18.9',
    nodes: [
      { name: 'cp-0', ip: '10.0.0.10', role: 'control-plane' },
      { name: 'cp-1', ip: '10.0.0.11', role: 'control-plane' },
      { name: 'cp-2', ip: '10.0.0.12', role: 'control-plane' },
      { name: 'w-0', ip: '10.0.0.20', role: 'worker' },
    ],
    etcdEndpoint: 'http://127.0.0.1:1',
    createdAt: '2025-05-01T10:00:00Z',
  });
  completeInstall(c.doubles);
  for (const r of [NEXT, SKIP, OLDER]) publishRelease(c.doubles, r);
});
test.after.each(async (c) => {
  await removeTmpdir(c.dir);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const oc = (c: Ctx, args: string[]) =>
  execa(OC, args, {
    reject: false,
    env: { FYR_DOUBLES_DIR: c.doubles, KUBECONFIG: c.kubeconfig, FYR_DOUBLE_TIME_SCALE: '200' },
  });
const upgrade = (c: Ctx, image: string, ...more: string[]) =>
  oc(c, ['adm', 'upgrade', '--allow-explicit-upgrade', `--to-image=${image}`, ...more]);
async function cv(c: Ctx): Promise<Obj> {
  const r = await oc(c, ['get', 'clusterversion', 'version', '-o', 'json']);
  assert.is(r.exitCode, 0, r.stderr);
  return JSON.parse(r.stdout) as Obj;
}
const cond = (o: Obj, type: string): Obj | undefined => (o.status.conditions as Obj[]).find((x) => x.type === type);

async function until(what: string, ok: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(50);
  }
}

// The ConfigMap oc-mirror writes for a release's signature (day2.md §1.3), applied as fyr will.
// oc-mirror numbers the keys across every release of a run, all in one ConfigMap.
async function applySignature(c: Ctx, ...images: string[]): Promise<void> {
  const keys = images.map(
    (image, i) =>
      `  sha256-${image.split('@sha256:')[1]}-${i + 1}: ${Buffer.from('a detached signature').toString('base64')}\n`,
  );
  const file = join(c.dir, 'signature.yaml');
  await writeFile(
    file,
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mirrored-release-signatures\n  namespace: openshift-config-managed\n  labels:\n    release.openshift.io/verification-signatures: ""\nbinaryData:\n${keys.join('')}`,
  );
  const r = await oc(c, ['apply', '-f', file]);
  assert.is(r.exitCode, 0, r.stderr);
}

test("oc's own refusals: a tag without --force, an image without --allow-explicit-upgrade", async (c) => {
  const tagged = await oc(c, [
    'adm',
    'upgrade',
    '--allow-explicit-upgrade',
    '--to-image=quay.io/openshift-release-dev/ocp-release:4.18.10-x86_64',
  ]);
  assert.is(tagged.exitCode, 1);
  assert.match(tagged.stderr, /--to-image must be a by-digest pull spec, unless --force is also set/);
  const implicit = await oc(c, ['adm', 'upgrade', `--to-image=${NEXT.image}`]);
  assert.is(implicit.exitCode, 1);
  assert.match(implicit.stderr, /cannot refresh available updates:\n {2}Reason: RemoteFailed/);
  assert.match(implicit.stderr, /specify --allow-explicit-upgrade to continue with the update\.$/m);
  const same = await upgrade(c, (await cv(c)).status.desired.image);
  assert.is(same.exitCode, 0);
  assert.match(same.stdout, /^info: Cluster is already at /);
  assert.is((await cv(c)).spec.desiredUpdate, undefined, 'nothing was patched');
});

test('an unsigned payload is not accepted until its signature ConfigMap is applied; then history Partial, and "already upgrading"', async (c) => {
  const asked = await upgrade(c, NEXT.image);
  assert.is(asked.exitCode, 0, asked.stderr);
  assert.is(asked.stdout, `Requested update to release image ${NEXT.image}`);
  assert.match(asked.stderr, /The requested upgrade image is not one of the available updates/);
  let v = await cv(c);
  assert.equal(v.spec.desiredUpdate, { architecture: '', force: false, image: NEXT.image, version: '' });
  assert.is(cond(v, 'ReleaseAccepted')?.status, 'False');
  assert.is(cond(v, 'ReleaseAccepted')?.reason, 'RetrievePayload');
  assert.match(
    cond(v, 'ReleaseAccepted')!.message,
    new RegExp(`The update cannot be verified: unable to verify sha256:${hex('a')} against keyrings`),
  );
  assert.is(v.status.history.length, 1, 'no new history entry');
  assert.is(v.status.desired.version, '4.18.9');
  const status = await oc(c, ['adm', 'upgrade']);
  assert.match(status.stdout, /ReleaseAccepted=False\n\n {2}Reason: RetrievePayload/);

  await applySignature(c, NEXT.image);
  v = await cv(c);
  assert.is(cond(v, 'ReleaseAccepted')?.status, 'True');
  assert.match(cond(v, 'ReleaseAccepted')!.message, /^Payload loaded version="4\.18\.10" image="quay\.io/);
  assert.equal(v.status.desired, { image: NEXT.image, version: '4.18.10' });
  assert.is(v.status.history[0].state, 'Partial');
  assert.is(v.status.history[0].verified, true);
  assert.is(v.status.history[1].version, '4.18.9');
  assert.ok(v.status.history[1].completionTime, 'the old entry is closed');
  assert.is(cond(v, 'Progressing')?.status, 'True');
  assert.match(cond(v, 'Progressing')!.message, /^Working towards 4\.18\.10: \d+ of 903 done \(\d+% complete\)/);

  const again = await upgrade(c, SKIP.image);
  assert.is(again.exitCode, 1);
  assert.match(
    again.stderr,
    /the cluster is already upgrading:\n\n {2}Reason: \n {2}Message: Working towards 4\.18\.10/,
  );
  assert.match(again.stderr, /If you want to upgrade anyway, use --allow-upgrade-with-warnings\.$/m);
});

test('an accepted update: operators, then the nodes one at a time (cordoned, NotReady, back), then Completed', async (c) => {
  await applySignature(c, NEXT.image);
  const asked = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  assert.is((await upgrade(c, NEXT.image)).exitCode, 0);
  const seen = { machineConfig: false, cordoned: new Set<string>(), twoAtOnce: false };
  await until(
    'the update completes',
    async () => {
      const v = await cv(c);
      const msg = cond(v, 'Progressing')?.message ?? '';
      if (/waiting on machine-config$/.test(msg)) seen.machineConfig = true;
      const nodes = (JSON.parse((await oc(c, ['get', 'nodes', '-o', 'json'])).stdout).items ?? []) as Obj[];
      const cordoned = nodes.filter((n) => n.spec.unschedulable);
      if (cordoned.length > 1) seen.twoAtOnce = true;
      for (const n of cordoned) seen.cordoned.add(n.metadata.name);
      return v.status.history[0].state === 'Completed';
    },
    60_000,
  );
  const v = await cv(c);
  assert.is(v.status.history[0].version, '4.18.10');
  assert.ok(v.status.history[0].completionTime);
  assert.is(cond(v, 'Progressing')?.status, 'False');
  assert.is(cond(v, 'Progressing')?.message, 'Cluster version is 4.18.10');
  assert.is(cond(v, 'Available')?.message, 'Done applying 4.18.10');
  assert.ok(seen.machineConfig, 'Progressing said it waited on machine-config');
  assert.equal([...seen.cordoned].sort(), ['cp-0', 'cp-1', 'cp-2', 'w-0'], 'every node was cordoned');
  assert.not.ok(seen.twoAtOnce, 'one node at a time');
  const after = objects(c.doubles);
  for (const n of after.nodes) {
    assert.is(n.metadata.annotations['machineconfiguration.openshift.io/state'], 'Done');
    assert.is(
      n.metadata.annotations['machineconfiguration.openshift.io/currentConfig'],
      n.metadata.annotations['machineconfiguration.openshift.io/desiredConfig'],
    );
    assert.not.ok(n.spec.unschedulable, `${n.metadata.name} uncordoned`);
    // Rebooted: NotReady (the kubelet silent past the node monitor's grace), then Ready again.
    const r = cond(n, 'Ready')!;
    assert.is(r.status, 'True');
    assert.ok(r.lastTransitionTime >= asked, `${n.metadata.name} went NotReady and back: ${r.lastTransitionTime}`);
  }
  for (const co of after.clusterOperators)
    assert.ok(
      (co.status.versions as Obj[]).every((x) => x.version !== '4.18.9'),
      `${co.metadata.name} moved to 4.18.10`,
    );
  const status = await oc(c, ['adm', 'upgrade']);
  assert.match(status.stdout, /^Cluster version is 4\.18\.10\n/m);
});

test("the cluster-version operator's preconditions: a skipped minor, a downgrade, a payload it cannot pull", async (c) => {
  await applySignature(c, SKIP.image, OLDER.image);
  assert.is((await upgrade(c, SKIP.image)).exitCode, 0);
  let v = await cv(c);
  assert.is(cond(v, 'ReleaseAccepted')?.reason, 'PreconditionChecks');
  assert.match(cond(v, 'ReleaseAccepted')!.message, /"MultipleMinorVersionsUpdate"/);
  assert.is(v.status.desired.version, '4.18.9');
  assert.is((await oc(c, ['adm', 'upgrade', '--clear'])).stdout, `Cancelled requested upgrade to ${SKIP.image}`);
  assert.is((await upgrade(c, OLDER.image)).exitCode, 0);
  v = await cv(c);
  assert.match(cond(v, 'ReleaseAccepted')!.message, /"DowngradeNotSupported": downgrade from 4\.18\.9 to 4\.18\.2/);
  await oc(c, ['adm', 'upgrade', '--clear']);
  assert.is((await upgrade(c, UNPUBLISHED)).exitCode, 0);
  v = await cv(c);
  assert.match(cond(v, 'ReleaseAccepted')!.message, /Unable to download and prepare the update: deadline exceeded/);
  assert.is(v.status.history.length, 1);
  assert.is(cond(v, 'Progressing')?.status, 'False', 'nothing is under way');
});

test.run();
