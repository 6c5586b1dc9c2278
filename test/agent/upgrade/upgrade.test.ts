// fyr-agent upgrade's operation against the fake cluster (its cluster-version operator follows
// spec.desiredUpdate as the real one does: the payload must be pullable, its signature in a
// labelled ConfigMap, history Partial then Completed, the machine-config operator rebooting each
// node): an upgrade stick (a release.json with an upgrade path, a registry tree of the new
// release pushed by the real skopeo, the hop's signature ConfigMap, new tools) merged into the
// served tree and taken hop by hop; the checks that refuse a stick; a kill right after
// `oc adm upgrade` resumes without asking twice; a missing signature stops with the cluster's
// own ReleaseAccepted=False message.
import { createHash } from 'node:crypto';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_OPTIONS, type AgentContext } from '../../../src/agent/context.js';
import { runOperation } from '../../../src/agent/keeper/operations.js';
import { upgrade } from '../../../src/agent/operations/upgrade.js';
import { registryFiles } from '../../../src/agent/registry.js';
import { upgradeRefusals, type UpgradeRelease } from '../../../src/agent/upgrade/check.js';
import { signatureConfigMap } from '../../../src/content/signature.js';
import { listTree, sha256File, treeHash } from '../../../src/registry/tree.js';
import { objects, setRegistry, setUpdateSpeed } from '../../doubles/cluster/index.mjs';
import { releaseDigest } from '../../doubles/oci.mjs';
import { clusterContext, doubleCalls, killSwitch, type ClusterContext } from '../../helpers/cluster-context.js';
import { pushRelease, startRegistry } from '../../helpers/registry.js';

const test = suite('agent :: upgrade');
const TO = '4.18.12';
const MINOR_TO = '4.19.3';

async function hashedTree(root: string) {
  const files = await listTree(root);
  return treeHash(await Promise.all(files.map(async (f) => ({ ...f, sha256: await sha256File(join(root, f.path)) }))));
}

// A tree with `version`'s synthetic release, pushed by the real skopeo into a real registry.
async function releaseTree(dir: string, version: string): Promise<string> {
  const root = join(dir, `tree-${version}`);
  await mkdir(root, { recursive: true });
  const r = await startRegistry(root, { dir });
  try {
    await pushRelease(r.host, join(dir, `scratch-${version}`), version);
  } finally {
    await r.stop();
  }
  return root;
}

interface Site {
  cc: ClusterContext;
  media: string;
  release: UpgradeRelease;
  image: string;
  calls(): Promise<string[][]>;
  killAfter(match: (args: readonly string[]) => boolean): void;
}

// The stick: one hop to TO, or with `twoHops` on to MINOR_TO (a minor: behind the 4.18 admin
// gate, which the site then allows).
async function site(o: { badSignature?: boolean; twoHops?: boolean } = {}): Promise<Site> {
  const cc = await clusterContext();
  await cc.joinNodes();
  const dir = cc.dir;
  // The bastion serves 4.18.9's tree from its disk (what registry-copy left).
  const f = registryFiles(cc.ctx);
  await mkdir(f.serve, { recursive: true });
  const served = await releaseTree(dir, '4.18.9');
  await symlink(served, f.tree);
  await symlink('disk', f.current);
  // The stick: release.json, its registry tree (4.18.12), the hop's signature, new tools.
  const media = join(dir, 'media');
  await mkdir(join(media, 'fyr/payload/bin'), { recursive: true });
  await mkdir(join(media, 'fyr/payload/manifests'), { recursive: true });
  const versions = o.twoHops ? [TO, MINOR_TO] : [TO];
  // The stick's tree: every release on its path (as oc-mirror mirrors a path), one tree.
  const tree = await releaseTree(dir, TO);
  if (o.twoHops) {
    const r = await startRegistry(tree, { dir });
    try {
      await pushRelease(r.host, join(dir, `scratch-${MINOR_TO}`), MINOR_TO);
    } finally {
      await r.stop();
    }
  }
  await symlink(tree, join(media, 'fyr/payload/registry'));
  const digests = versions.map((v) => releaseDigest(join(dir, `digest-${v}`), v, 'x86_64'));
  const images = digests.map((d) => `quay.io/openshift-release-dev/ocp-release@${d}`);
  const image = images[0]!;
  const last = versions.at(-1)!;
  const payload = [];
  for (const [path, role, text] of [
    ['fyr/payload/bin/oc', 'oc', `#!/bin/sh\necho oc ${last}\n`],
    ['fyr/payload/bin/openshift-install', 'openshift-install', `#!/bin/sh\necho openshift-install ${last}\n`],
    ...versions.map(
      (v, i) =>
        [
          `fyr/payload/manifests/signature-${v}.yaml`,
          'release-signature',
          // A bad one: the signature of another release.
          signatureConfigMap(o.badSignature ? `sha256:${'0'.repeat(64)}` : digests[i]!, Buffer.from('sig')),
        ] as const,
    ),
  ] as const) {
    await writeFile(join(media, path), text);
    payload.push({
      path: `/${path}`,
      role,
      size: Buffer.byteLength(text),
      sha256: createHash('sha256').update(text).digest('hex'),
    });
  }
  const summary = await hashedTree(tree);
  const release = {
    format: 'fyr-release/1',
    fyr: 'test',
    release: {
      name: `ocp-${last}-x86_64`,
      openshift: last,
      image: images.at(-1),
      arch: 'x86_64',
      signature: 'verified',
    },
    registry: {
      path: '/fyr/payload/registry',
      files: summary.files,
      bytes: summary.bytes,
      sha256: summary.sha256,
      releaseTag: `openshift/release-images:${last}-x86_64`,
      imageDigestSources: [],
    },
    upgrade: {
      from: '4.18.9',
      hops: versions.map((v, i) => ({
        version: v,
        image: images[i],
        signature: 'verified',
        signatureFile: `/fyr/payload/manifests/signature-${v}.yaml`,
        releaseTag: `openshift/release-images:${v}-x86_64`,
      })),
    },
    volumeId: 'FYR-TEST',
    base: { volumeId: 'RHEL-9-4-0-BaseOS-x86_64', layout: 'el9', size: 0 },
    sourceDateEpoch: 0,
    payload,
    agent: { path: '/fyr/agent/fyr-agent.mjs', version: 'test', size: 0, sha256: '0'.repeat(64) },
    embed: {
      kickstart: { path: '/ks.cfg', offset: 0, length: 0 },
      site: { path: '/fyr/site.tar', offset: 0, length: 0 },
    },
    md5: null,
  } as unknown as UpgradeRelease;
  await writeFile(join(media, 'release.json'), JSON.stringify(release, null, 2));
  // The cluster pulls from the tree the bastion serves: it can take TO once the merge put it there.
  setRegistry(cc.doubles, { host: 'bastion.edge.example.com:8443', tree: served });
  const installed = await hashedTree(served);
  const ctx = cc.ctx as { -readonly [K in keyof AgentContext]: AgentContext[K] };
  ctx.release = {
    release: { name: 'ocp-4.18.9-x86_64', openshift: '4.18.9', arch: 'x86_64' },
    registry: { path: '/fyr/payload/registry', files: installed.files, sha256: installed.sha256 },
  } as AgentContext['release'];
  Object.assign(ctx.site, {
    upgrades: {
      allowUnsignedReleases: false,
      adminAcks: o.twoHops ? ['ack-4.18-kube-1.32-api-removals-in-4.19'] : [],
    },
    storage: { type: 'none', defaulted: true, profile: 'balanced', nodes: [] },
    operators: [],
  });
  ctx.paths = { ...ctx.paths, binDir: join(dir, 'root/usr/local/bin'), contentRoot: join(dir, 'root/var/www/fyr') };
  await mkdir(ctx.paths.binDir, { recursive: true });
  ctx.options = { ...DEFAULT_OPTIONS, pollMs: 100, stablePeriodS: 1, stableTimeoutS: 120 };
  ctx.sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const { killAfter } = killSwitch(cc.ctx);
  return {
    cc,
    media,
    release,
    image,
    calls: () => doubleCalls(cc.doubles),
    killAfter: killAfter,
  };
}

const asked = (s: Site) => ({ media: s.media, backupAfter: '2000-01-01T00:00:00Z' });
const withBackup = (s: Site) => {
  s.cc.ctx.store.state.keeper = {
    ...(s.cc.ctx.store.state.keeper ?? {}),
    lastBackup: { id: 'b', takenAt: new Date().toISOString(), dir: '/x', node: 'cp-0', version: '4.18.9', bytes: 1 },
  } as never;
};

test('a stick is refused for another start, a downgrade, a skipped minor, an unsigned hop, another base', () => {
  const hop = (version: string, extra = {}) => ({
    version,
    image: `quay.io/openshift-release-dev/ocp-release@sha256:${'a'.repeat(64)}`,
    signature: 'verified' as const,
    signatureFile: 'sig.yaml',
    releaseTag: 'x:y',
    ...extra,
  });
  const stick = (from: string, hops: ReturnType<typeof hop>[], delta?: object) =>
    ({
      release: { name: 'r', openshift: hops.at(-1)?.version ?? from, arch: 'x86_64' },
      registry: {
        path: '/r',
        files: 1,
        bytes: 1,
        sha256: 'b'.repeat(64),
        releaseTag: 'x:y',
        imageDigestSources: [],
        ...(delta ? { delta } : {}),
      },
      payload: [],
      upgrade: { from, hops },
    }) as unknown as UpgradeRelease;
  const served = {
    running: '4.18.9',
    arch: 'x86_64',
    tree: { sha256: 'c'.repeat(64), files: 10 },
    allowUnsigned: false,
  };
  assert.equal(upgradeRefusals(stick('4.18.9', [hop('4.18.12'), hop('4.19.3')]), served), []);
  // Part-way along the stick's path (an earlier upgrade stopped after a hop): the rest is taken.
  assert.equal(
    upgradeRefusals(stick('4.18.9', [hop('4.18.12'), hop('4.19.3')]), { ...served, running: '4.18.12' }),
    [],
  );
  assert.match(
    upgradeRefusals(stick('4.17.2', [hop('4.18.12')]), served).join('\n'),
    'starts at 4.17.2; this cluster runs 4.18.9',
  );
  assert.match(upgradeRefusals(stick('4.18.9', [hop('4.18.3')]), served).join('\n'), 'never downgraded');
  assert.match(upgradeRefusals(stick('4.18.9', [hop('4.20.1')]), served).join('\n'), 'skips a minor');
  assert.match(
    upgradeRefusals(stick('4.18.9', [hop('4.18.12', { signature: 'skipped' })]), served).join('\n'),
    'the site does not allow unsigned releases',
  );
  assert.equal(
    upgradeRefusals(stick('4.18.9', [hop('4.18.12', { signature: 'skipped' })]), { ...served, allowUnsigned: true }),
    [],
  );
  assert.match(
    upgradeRefusals(
      stick('4.18.9', [hop('4.18.12')], {
        base: { name: 'old', openshift: '4.18.9', treeSha256: 'd'.repeat(64), files: 10 },
        mergedSha256: 'e'.repeat(64),
        mergedFiles: 20,
      }),
      served,
    ).join('\n'),
    'a delta on old',
  );
  assert.match(
    upgradeRefusals({ ...stick('4.18.9', []), upgrade: undefined } as UpgradeRelease, served).join('\n'),
    'no upgrade path',
  );
  assert.match(
    upgradeRefusals(stick('4.18.9', [hop('4.18.12', { signatureFile: undefined })]), served).join('\n'),
    'carries no signature ConfigMap',
  );
});

test('the stick merged, the hop signed, asked once across a kill, followed to Completed; the tools follow', async () => {
  const s = await site();
  try {
    withBackup(s);
    const { ctx } = s.cc;
    s.killAfter((args) => args[0] === 'adm' && args[1] === 'upgrade');
    await runOperation(ctx, upgrade, 'command', () => undefined, { asked: asked(s) }).catch(() => undefined);
    const op = ctx.store.state.keeper?.operation;
    assert.ok(op, 'the upgrade is still running after the kill');
    (ctx as { signal: AbortSignal }).signal = new AbortController().signal;
    const outcome = await runOperation(ctx, upgrade, 'command', () => undefined, { resume: op });
    assert.is(outcome.record.status, 'done', outcome.record.error);
    assert.match(outcome.summary ?? '', `the cluster runs ${TO}`);
    const calls = (await s.calls()).filter((c) => c[0] === 'oc');
    assert.is(calls.filter((c) => c[1] === 'adm' && c[2] === 'upgrade').length, 1, 'oc adm upgrade asked once');
    assert.ok(
      calls.some((c) => c.includes(`--to-image=${s.image}`) && !c.includes('--force')),
      'by digest, without --force',
    );
    const cv = objects(s.cc.doubles).clusterVersion;
    assert.is(cv.status.history[0].version, TO);
    assert.is(cv.status.history[0].state, 'Completed');
    // The served tree holds both releases; the bastion's oc is the stick's.
    const tree = registryFiles(ctx).tree;
    const tags = (await listTree(tree))
      .map((f) => f.path)
      .filter((p) => p.includes('/_manifests/tags/') && p.endsWith('current/link'));
    assert.ok(
      tags.some((p) => p.includes('4.18.9-x86_64')) && tags.some((p) => p.includes(`${TO}-x86_64`)),
      tags.join('\n'),
    );
    assert.match(await readFile(join(ctx.paths.binDir, 'oc'), 'utf8'), 'oc 4.18.12');
    assert.equal(
      ctx.store.state.upgrades?.map((u) => `${u.from}->${u.to}`),
      [`4.18.9->${TO}`],
    );
  } finally {
    await s.cc.close();
  }
});

test('two hops, killed right after the second hop’s signature: resumed, the first is not asked again, the second is asked once, the tools end at the last', async () => {
  const s = await site({ twoHops: true });
  try {
    withBackup(s);
    // Two hops of node reboots: the fake's update clock runs faster than its own (still in order).
    setUpdateSpeed(s.cc.doubles, 2000);
    const { ctx } = s.cc;
    s.killAfter((args) => args.includes('apply') && args.some((a) => a.endsWith(`signature-${MINOR_TO}.yaml`)));
    await runOperation(ctx, upgrade, 'command', () => undefined, { asked: asked(s) }).catch(() => undefined);
    const op = ctx.store.state.keeper?.operation;
    assert.ok(op, 'the upgrade is still running after the kill');
    // Killed between the hops: the first is Completed, the second not yet asked.
    const cv0 = objects(s.cc.doubles).clusterVersion;
    assert.equal([cv0.status.history[0].version, cv0.status.history[0].state], [TO, 'Completed']);
    (ctx as { signal: AbortSignal }).signal = new AbortController().signal;
    const outcome = await runOperation(ctx, upgrade, 'command', () => undefined, { resume: op });
    assert.is(outcome.record.status, 'done', outcome.record.error);
    assert.match(outcome.summary ?? '', `the cluster runs ${MINOR_TO} (2 hops from 4.18.9`);
    const upgrades = (await s.calls()).filter((c) => c[0] === 'oc' && c[1] === 'adm' && c[2] === 'upgrade');
    assert.equal(
      upgrades.map((c) => c.find((a) => a.startsWith('--to-image='))),
      s.release.upgrade!.hops.map((h) => `--to-image=${h.image}`),
      'each hop asked once, in order',
    );
    const cv = objects(s.cc.doubles).clusterVersion;
    assert.equal(
      cv.status.history.slice(0, 3).map((h: { version: string; state: string }) => `${h.version} ${h.state}`),
      [`${MINOR_TO} Completed`, `${TO} Completed`, '4.18.9 Completed'],
    );
    // The gate the site allows was acknowledged before the minor hop.
    const acks = objects(s.cc.doubles).configMaps.find(
      (m) => m.metadata.namespace === 'openshift-config' && m.metadata.name === 'admin-acks',
    );
    assert.is(acks?.data?.['ack-4.18-kube-1.32-api-removals-in-4.19'], 'true');
    assert.match(await readFile(join(ctx.paths.binDir, 'oc'), 'utf8'), `oc ${MINOR_TO}`);
    assert.equal(
      ctx.store.state.upgrades?.map((u) => `${u.from}->${u.to}`),
      [`4.18.9->${MINOR_TO}`],
    );
  } finally {
    await s.cc.close();
  }
});

test("a signature of another release: the cluster's own ReleaseAccepted=False message, and how to go on", async () => {
  const s = await site({ badSignature: true });
  try {
    withBackup(s);
    const r = await runOperation(s.cc.ctx, upgrade, 'command', () => undefined, { asked: asked(s) });
    assert.is(r.record.status, 'failed');
    assert.match(r.record.error ?? '', 'ReleaseAccepted=False (RetrievePayload)');
    assert.match(r.record.error ?? '', 'The update cannot be verified');
    assert.match(r.record.error ?? '', 'Nothing more was asked of it; fix the cause');
  } finally {
    await s.cc.close();
  }
});

test('not without a backup taken for it, nor while the cluster is updating', async () => {
  const s = await site();
  try {
    const r = await runOperation(s.cc.ctx, upgrade, 'command', () => undefined, { asked: asked(s) });
    assert.is(r.record.status, 'skipped');
    assert.match(r.record.error ?? '', 'no etcd backup was taken for this upgrade');
  } finally {
    await s.cc.close();
  }
});

test.run();
