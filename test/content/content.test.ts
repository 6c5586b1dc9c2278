// fyr content end to end on the connected side's loopback stand-ins (test/helpers/connected.ts):
// the doubles for oc, openshift-install and oc-mirror, the real gpg, skopeo and registry, an
// HTTP server with faults. What it writes is what fyr release accepts; every bad input is one
// clear error with nothing left at DIR.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadContent } from '../../src/release/content.js';
import { verifyTree } from '../../src/registry/tree.js';
import { connectedSide, contentArgs, DOUBLES_BIN, type Connected } from '../helpers/connected.js';
import { spawnCli, STACK_FRAME } from '../helpers/cli.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

async function withSide(fn: (c: Connected, dir: string) => Promise<void>): Promise<void> {
  const dir = await makeTmpdir();
  const c = await connectedSide(join(dir, 'side'));
  try {
    await fn(c, dir);
  } finally {
    await c.close();
    await removeTmpdir(dir);
  }
}

const fyr = (c: Connected, out: string, more: string[] = [], env: Record<string, string> = {}) =>
  spawnCli(contentArgs(c, out, more), { ...c.env, ...env });

// Nothing at DIR and no temporary sibling beside it (but what `keep` names).
const nothingLeft = (dir: string, keep: string[] = []) =>
  assert.equal(
    readdirSync(dir).filter((n) => n !== 'side'),
    keep,
  );

test('content :: a version becomes a fyr-content/2 directory that fyr release accepts; a second run downloads nothing', () =>
  withSide(async (c, dir) => {
    const out = join(dir, 'content');
    const r = await fyr(c, out, ['--json']);
    assert.is(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.is(report.downloaded, 3);
    const manifest = JSON.parse(readFileSync(join(out, 'fyr-content.json'), 'utf8'));
    assert.equal(manifest, report.content);
    assert.is(manifest.format, 'fyr-content/2');
    assert.equal(manifest.release, {
      name: 'ocp-4.18.9-x86_64',
      openshift: '4.18.9',
      rhcos: '418.94.202504080525-0',
      image: `quay.io/openshift-release-dev/ocp-release@${c.digest}`,
      arch: 'x86_64',
      signature: 'verified',
    });
    assert.equal(Object.keys(manifest.tools).sort(), [
      'gpg',
      'oc',
      'oc-mirror',
      'openshift-install',
      'registry',
      'skopeo',
    ]);
    assert.equal(manifest.files.map((f: { role: string }) => f.role).sort(), [
      'image-digest-sources',
      'oc',
      'openshift-install',
      'registry-image',
      'release-signature',
      'rhcos-initramfs',
      'rhcos-kernel',
      'rhcos-rootfs',
      'rhcos-stream',
    ]);
    // RHCOS is byte for byte what the stream names.
    const kernel = manifest.files.find((f: { role: string }) => f.role === 'rhcos-kernel');
    assert.ok(readFileSync(join(out, kernel.path)).equals(c.rhcos.kernel.data));
    // The tree is the registry's, checks itself, and has the release under its tag.
    const tree = await verifyTree(join(out, 'registry'));
    assert.equal(tree.problems, []);
    assert.equal(
      { files: manifest.registry.files, sha256: manifest.registry.sha256 },
      { files: tree.summary.files, sha256: tree.summary.sha256 },
    );
    assert.is(manifest.registry.releaseTag, 'openshift/release-images:4.18.9-x86_64');
    assert.equal(manifest.registry.imageDigestSources, [
      { source: 'quay.io/openshift-release-dev/ocp-release', mirrors: ['openshift/release-images'] },
      { source: 'quay.io/openshift-release-dev/ocp-v4.0-art-dev', mirrors: ['openshift/release'] },
    ]);
    const idms = readFileSync(join(out, 'mirror/idms-oc-mirror.yaml'), 'utf8');
    assert.match(idms, '- "@@FYR:registry@@/openshift/release"\n');
    assert.not.match(idms, '127.0.0.1');
    const configMap = readFileSync(join(out, 'manifests/release-signature.yaml'), 'utf8');
    assert.match(configMap, `name: sha256-${c.digest.slice(7)}\n  namespace: openshift-config-managed`);
    assert.match(
      configMap,
      `sha256-${c.digest.slice(7)}-1: ${readFileSync(join(c.dir, 'signature-1')).toString('base64')}`,
    );
    // The installer extracted from the release names it.
    const version = await execa(join(out, 'bin/openshift-install'), ['version'], { env: c.env });
    assert.match(version.stdout, `release image quay.io/openshift-release-dev/ocp-release@${c.digest}`);
    // fyr release's loader accepts it: every file, size and the tree hash.
    const loaded = await loadContent(out);
    assert.is(loaded.tree?.files, tree.summary.files);
    // The pull secret went to every program by file, never on a command line.
    const calls = readFileSync(join(c.env.FYR_DOUBLES_DIR!, 'calls.log'), 'utf8');
    assert.not.match(calls, 's3cret');
    assert.not.match(calls, Buffer.from('user:s3cret-pull').toString('base64'));
    assert.match(calls, `"--authfile","${c.pullSecret}"`);
    nothingLeft(dir, ['content']);
    // Again, for the same version: the cache has every artifact.
    const before = c.requests.filter((q) => q.path.startsWith('/rhcos/')).length;
    const again = await fyr(c, out, ['--json', '--force']);
    assert.is(again.code, 0, again.stderr);
    assert.equal([JSON.parse(again.stdout).downloaded, JSON.parse(again.stdout).reused], [0, 3]);
    assert.is(
      c.requests.filter((q) => q.path.startsWith('/rhcos/')).length,
      before,
      'no RHCOS request the second time',
    );
  }));

test('content :: a body cut halfway is resumed with a Range request; a wrong sha256 is deleted and reported with the URL and both sums', () =>
  withSide(async (c, dir) => {
    const rootfs = new URL(c.rhcos.rootfs.url).pathname;
    const initramfs = new URL(c.rhcos.initramfs.url).pathname;
    c.faults.set(rootfs, 'cut');
    c.faults.set(initramfs, 'corrupt');
    const out = join(dir, 'content');
    const bad = await fyr(c, out);
    assert.is(bad.code, 1);
    assert.match(bad.stderr, `DOWNLOAD_CORRUPT`);
    assert.match(bad.stderr, c.rhcos.initramfs.url);
    assert.match(bad.stderr, `expected sha256 ${c.rhcos.initramfs.sha256}`);
    assert.match(bad.stderr, /actual {3}sha256 [0-9a-f]{64}/);
    assert.not.match(bad.stderr, STACK_FRAME);
    nothingLeft(dir);
    // The kernel, downloaded before, stays in the cache; the bad file does not.
    assert.ok(existsSync(join(c.cache, 'downloads/sha256', c.rhcos.kernel.sha256)));
    assert.not.ok(existsSync(join(c.cache, 'downloads/sha256', c.rhcos.initramfs.sha256)));
    assert.not.ok(existsSync(join(c.cache, 'downloads/partial', c.rhcos.initramfs.sha256)));
    const good = await fyr(c, out, ['--json']);
    assert.is(good.code, 0, good.stderr);
    assert.equal(JSON.parse(good.stdout).reused, 1);
    // The rootfs: cut halfway, then resumed from where it stopped.
    const asked = c.requests.filter((q) => q.path === rootfs);
    assert.equal(
      asked.map((q) => q.status),
      [200, 206],
    );
    assert.match(String(asked[1]!.range), /^bytes=\d+-$/);
    assert.ok(Number(/\d+/.exec(asked[1]!.range!)![0]) > 0);
    const manifest = JSON.parse(readFileSync(join(out, 'fyr-content.json'), 'utf8'));
    const file = manifest.files.find((f: { role: string }) => f.role === 'rhcos-rootfs');
    assert.ok(readFileSync(join(out, file.path)).equals(c.rhcos.rootfs.data));
  }));

test('content :: a 404 is DOWNLOAD_FAILED, not retried; nothing is left at DIR', () =>
  withSide(async (c, dir) => {
    const kernel = new URL(c.rhcos.kernel.url).pathname;
    c.faults.set(kernel, 'missing');
    const r = await fyr(c, join(dir, 'content'));
    assert.is(r.code, 1);
    assert.match(r.stderr, `DOWNLOAD_FAILED`);
    assert.match(r.stderr, `${c.rhcos.kernel.url}: HTTP 404`);
    assert.is(c.requests.filter((q) => q.path === kernel).length, 1);
    nothingLeft(dir);
  }));

test('content :: the release signature: another key, no signature, --insecure-skip-signature (loud, recorded)', () =>
  withSide(async (c, dir) => {
    const out = join(dir, 'content');
    const other = await fyr(c, out, ['--signature-key', c.otherKey]);
    assert.is(other.code, 1);
    assert.match(other.stderr, 'SIGNATURE_INVALID');
    assert.match(other.stderr, `does not verify with ${c.otherKey}`);
    nothingLeft(dir);
    const none = await fyr(c, out, ['--signature-url', `${c.signatureUrl}/nowhere`]);
    assert.match(none.stderr, 'SIGNATURE_INVALID');
    assert.match(none.stderr, 'HTTP 404');
    const skipped = await fyr(c, out, [
      '--signature-url',
      `${c.signatureUrl}/nowhere`,
      '--insecure-skip-signature',
      '--json',
    ]);
    assert.is(skipped.code, 0, skipped.stderr);
    assert.match(
      skipped.stderr,
      /WARNING: the signature of quay\.io\/openshift-release-dev\/ocp-release@sha256:[0-9a-f]{64} is NOT checked/,
    );
    const manifest = JSON.parse(readFileSync(join(out, 'fyr-content.json'), 'utf8'));
    assert.is(manifest.release.signature, 'skipped');
    assert.not.ok(manifest.files.some((f: { role: string }) => f.role === 'release-signature'));
    assert.ok((await loadContent(out)).release.signature === 'skipped', 'fyr release accepts it, recorded');
  }));

test('content :: a version that does not exist, an architecture the release lacks, a release reporting another one', () =>
  withSide(async (c, dir) => {
    const out = join(dir, 'content');
    const args = (v: string, more: string[] = []) => contentArgs(c, out, more).map((a) => (a === '4.18.9' ? v : a));
    const missing = await spawnCli(args('4.99.0'), c.env);
    assert.is(missing.code, 1);
    assert.match(missing.stderr, 'RELEASE_NOT_FOUND');
    assert.match(missing.stderr, 'quay.io/openshift-release-dev/ocp-release:4.99.0-x86_64: no such release image');
    const arch = await spawnCli(args('4.18.9', ['--arch', 's390x']), c.env);
    assert.match(arch.stderr, 'ocp-release:4.18.9-s390x: no such release image');
    const reported = await fyr(c, out, [], { FYR_DOUBLE_REPORT_ARCH: 'arm64' });
    assert.match(reported.stderr, 'RELEASE_MISMATCH');
    assert.match(reported.stderr, '4.18.9-x86_64 is a release for arm64, not x86_64 (amd64)');
    const usage = await spawnCli(args('4.18'), c.env);
    assert.is(usage.code, 2);
    assert.match(usage.stderr, '--openshift 4.18: expected a version such as 4.18.9');
    nothingLeft(dir);
  }));

test('content :: a pull secret that is not an auth file is one error that shows none of it', () =>
  withSide(async (c, dir) => {
    writeFileSync(c.pullSecret, '{"auths": {"registry.redhat.io": {"auth": "c2VjcmV0LXZhbHVl"}}}');
    const r = await fyr(c, join(dir, 'content'));
    assert.is(r.code, 3);
    assert.match(r.stderr, 'PULL_SECRET_INVALID');
    assert.match(r.stderr, 'no "auths" entry for quay.io');
    assert.not.match(r.stderr, 'c2VjcmV0LXZhbHVl');
    writeFileSync(c.pullSecret, 'not json s3cr3t');
    const notJson = await fyr(c, join(dir, 'content'));
    assert.match(notJson.stderr, `${c.pullSecret}: not JSON`);
    assert.not.match(notJson.stderr, 's3cr3t');
    nothingLeft(dir);
  }));

test('content :: oc-mirror failing runs are retried; failing every run is MIRROR_FAILED with what its exit bits say', () =>
  withSide(async (c, dir) => {
    const out = join(dir, 'content');
    writeFileSync(join(c.env.FYR_DOUBLES_DIR!, 'oc-mirror-fail'), '2\n');
    const retried = await fyr(c, out, ['--retry-delay', '0.01']);
    assert.is(retried.code, 0, retried.stderr);
    assert.match(
      retried.stderr,
      'WARNING: oc-mirror run 1: some release images could not be mirrored; running it again',
    );
    writeFileSync(join(c.env.FYR_DOUBLES_DIR!, 'oc-mirror-fail'), '10\n'.repeat(5));
    const failed = await fyr(c, join(dir, 'other'), ['--retry-delay', '0.01']);
    assert.is(failed.code, 1);
    assert.match(failed.stderr, 'MIRROR_FAILED');
    assert.match(
      failed.stderr,
      'oc-mirror: some release images and additional images could not be mirrored (exit code 10, 5 run(s))',
    );
    assert.not.ok(existsSync(join(dir, 'other')));
  }));

test('content :: additional images are mirrored with the release, with their ITMS', () =>
  withSide(async (c, dir) => {
    const list = join(c.dir, 'images.txt');
    writeFileSync(list, "# the site's workloads\ndocker.io/library/example:1\n");
    const out = join(dir, 'content');
    const r = await fyr(c, out, ['--additional-images', list]);
    assert.is(r.code, 0, r.stderr);
    // Progress off a terminal: plain lines, the mirror's from oc-mirror's per-image lines.
    assert.match(r.stderr, 'oc-mirror: release images: 100%');
    assert.match(r.stderr, 'downloading RHCOS: 100%');
    assert.ok(
      existsSync(join(out, 'registry/docker/registry/v2/repositories/library/example/_manifests/tags/1/current/link')),
    );
    assert.match(
      readFileSync(join(out, 'mirror/itms-oc-mirror.yaml'), 'utf8'),
      '- "@@FYR:registry@@/library"\n    source: "docker.io/library"',
    );
    writeFileSync(list, 'not a pull spec\n');
    const bad = await fyr(c, join(dir, 'x'), ['--additional-images', list]);
    assert.is(bad.code, 2);
    assert.match(bad.stderr, '"not a pull spec" is not a pull spec');
  }));

test('content :: a missing tool is named with how to install it; a full disk is NO_SPACE with nothing left', () =>
  withSide(async (c, dir) => {
    // A PATH with the doubles but oc-mirror.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    for (const name of ['oc', 'openshift-install']) await execa('ln', ['-s', join(DOUBLES_BIN, name), join(bin, name)]);
    const r = await fyr(c, join(dir, 'content'), [], { PATH: `${bin}:/usr/bin:/bin` });
    assert.is(r.code, 1);
    assert.match(r.stderr, 'TOOL_MISSING');
    assert.match(r.stderr, 'oc-mirror is not installed');
    assert.match(r.stderr, 'mirror.openshift.com');
    // A 512 KiB file system for DIR (the cache elsewhere): the RHCOS copy fills it.
    const tiny = join(dir, 'tiny');
    mkdirSync(tiny);
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', tiny]);
    try {
      const full = await fyr(c, join(tiny, 'content'));
      assert.is(full.code, 1, full.stderr);
      assert.match(full.stderr, 'NO_SPACE');
      assert.equal(readdirSync(tiny), []);
    } finally {
      await execa('umount', [tiny]);
    }
  }));

test.run();
