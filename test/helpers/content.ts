// Synthetic release content directories: small stand-ins for the RHCOS images, installers,
// mirror and registry image with a valid fyr-content.json (fyr-content/1), and the
// fyr-content/2 of fyr content with a registry tree (optionally a sparse blob over 4 GiB, no
// disk space used, for multi-extent ISO files).
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { signatureConfigMap } from '../../src/content/signature.js';
import { DEFAULT_DIGEST_SOURCES } from '../../src/formats/digest-sources.js';
import { expectedHashes, listTree, treeHash } from '../../src/registry/tree.js';
import { pushRelease, startRegistry, writeSyntheticTree } from './registry.js';

export const CONTENT_FILES: ReadonlyArray<{ path: string; role: string; size: number }> = [
  { path: 'rhcos/rhcos-live-kernel-x86_64', role: 'rhcos-kernel', size: 70_001 },
  { path: 'rhcos/rhcos-live-initramfs.x86_64.img', role: 'rhcos-initramfs', size: 90_003 },
  { path: 'rhcos/rhcos-live-rootfs.x86_64.img', role: 'rhcos-rootfs', size: 300_007 },
  { path: 'rhcos/rhcos-metal.x86_64.raw.gz', role: 'rhcos-metal', size: 200_009 },
  { path: 'bin/openshift-install', role: 'openshift-install', size: 50_011 },
  { path: 'bin/oc', role: 'oc', size: 40_013 },
  { path: 'mirror/mirror_seq1_000000.tar', role: 'release-mirror', size: 500_017 },
  { path: 'registry/registry.tar', role: 'registry-image', size: 60_019 },
];

export const BIG_FILE = { path: 'mirror/big-layer.tar', role: 'other', size: 4 * 1024 ** 3 + 12_345 };

export function bytesFor(path: string, size: number): Buffer {
  // Deterministic filler that differs per file.
  const seed = createHash('sha256').update(path).digest();
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i += 32) seed.copy(out, i, 0, Math.min(32, size - i));
  return out;
}

// sha256 of that many zero bytes, computed in pieces.
function zerosSha256(size: number): string {
  const hash = createHash('sha256');
  const zeros = Buffer.alloc(1 << 24);
  for (let left = size; left > 0; left -= zeros.length)
    hash.update(left >= zeros.length ? zeros : zeros.subarray(0, left));
  return hash.digest('hex');
}

export async function makeContent(dir: string, options: { agent?: boolean } = {}): Promise<{ manifest: string }> {
  const files: Array<{ path: string; role: string; size: number; sha256: string }> = [];
  for (const f of CONTENT_FILES) {
    const data = bytesFor(f.path, f.size);
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), data);
    files.push({ ...f, sha256: createHash('sha256').update(data).digest('hex') });
  }
  if (options.agent) {
    const data = Buffer.from('#!/usr/bin/env node\nconsole.log("fyr-agent test double");\n');
    mkdirSync(join(dir, 'agent'), { recursive: true });
    writeFileSync(join(dir, 'agent/fyr-agent.js'), data);
    files.push({
      path: 'agent/fyr-agent.js',
      role: 'agent',
      size: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
    });
  }
  const manifest = join(dir, 'fyr-content.json');
  writeFileSync(
    manifest,
    `${JSON.stringify({ format: 'fyr-content/1', release: { name: 'test-4.16.3', openshift: '4.16.3', rhcos: '416.94.202406251923-0' }, files }, null, 2)}\n`,
  );
  return { manifest };
}

// fyr-content/2 as fyr content writes it: the files of CONTENT_FILES but the mirror archive and
// metal image, a signature ConfigMap and IDMS, and a registry tree: the synthetic release pushed
// by the real skopeo into the real registry, plus `synthetic` images written straight in the
// registry's layout (8 files each) for trees of thousands of files.
export async function makeContentV2(
  dir: string,
  // bigBlob: a sparse blob of BIG_FILE.size bytes (zeros) in the tree, named by its sha256.
  o: { synthetic?: number; layerBytes?: number; bigBlob?: boolean } = {},
): Promise<{ manifest: string; release: string; registry: Record<string, unknown> }> {
  const files: Array<{ path: string; role: string; size: number; sha256: string }> = [];
  const add = (path: string, role: string, data: Buffer) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), data);
    files.push({ path, role, size: data.length, sha256: createHash('sha256').update(data).digest('hex') });
  };
  for (const f of CONTENT_FILES.filter((x) => x.role !== 'release-mirror' && x.role !== 'rhcos-metal'))
    add(f.role === 'registry-image' ? 'images/registry.oci.tar' : f.path, f.role, bytesFor(f.path, f.size));
  const root = join(dir, 'registry');
  const scratch = await mkdtemp(join(tmpdir(), 'fyr-oci-'));
  let release: string;
  try {
    const registry = await startRegistry(root, { dir: scratch });
    release = (await pushRelease(registry.host, join(scratch, 'oci')).finally(() => registry.stop())).release;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  if (o.synthetic) writeSyntheticTree(root, { images: o.synthetic, layerBytes: o.layerBytes ?? 1024 });
  if (o.bigBlob) {
    const hex = zerosSha256(BIG_FILE.size);
    const blobDir = join(root, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex);
    mkdirSync(blobDir, { recursive: true });
    writeFileSync(join(blobDir, 'data'), '');
    await truncate(join(blobDir, 'data'), BIG_FILE.size);
    const layer = join(root, 'docker/registry/v2/repositories/openshift/release/_layers/sha256', hex);
    mkdirSync(layer, { recursive: true });
    writeFileSync(join(layer, 'link'), `sha256:${hex}`);
  }
  // The ConfigMap fyr content writes, around a stand-in signature.
  add(
    'manifests/release-signature.yaml',
    'release-signature',
    Buffer.from(signatureConfigMap(release, Buffer.from('test signature'))),
  );
  // The blobs' sums are their names (the big one is not read here: fyr release checks it).
  const { hashed, broken } = await expectedHashes(root, await listTree(root));
  if (broken.length > 0) throw new Error(broken.join('\n'));
  const summary = treeHash(hashed);
  const registry = {
    path: 'registry',
    ...summary,
    releaseTag: 'openshift/release-images:4.18.9-x86_64',
    // fyr's defaults plus one only an IDMS would name: the agent's
    // install-config must show it, or it did not read the release's sources.
    imageDigestSources: [
      ...DEFAULT_DIGEST_SOURCES,
      { source: 'docker.io/library/example', mirrors: ['library/example'] },
    ],
  };
  const manifest = join(dir, 'fyr-content.json');
  writeFileSync(
    manifest,
    `${JSON.stringify(
      {
        format: 'fyr-content/2',
        release: {
          name: 'ocp-4.18.9-x86_64',
          openshift: '4.18.9',
          rhcos: '418.94.202504080525-0',
          image: `quay.io/openshift-release-dev/ocp-release@${release}`,
          arch: 'x86_64',
          signature: 'verified',
        },
        tools: { oc: 'test', 'oc-mirror': 'test' },
        files,
        registry,
      },
      null,
      2,
    )}\n`,
  );
  return { manifest, release, registry };
}
