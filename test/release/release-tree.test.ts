// fyr release with fyr-content/2: the registry tree carried file by file (thousands of files,
// Rock Ridge names, directories with many entries), read back by xorriso and served by the
// real registry; a damaged blob or a changed link never reaches an image.
import {
  appendFileSync,
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ReleaseInfo } from '../../src/formats/release-json.js';
import { InvalidInputError } from '../../src/errors.js';
import { blobDigest, listTree, verifyTree } from '../../src/registry/tree.js';
import { buildRelease, type ReleaseOptions } from '../../src/release/release.js';
import { loadContent } from '../../src/release/content.js';
import { ISO_FIXTURE_DIR } from '../tools/iso-fixtures.js';
import { makeContentV2 } from '../helpers/content.js';
import { walkIso } from '../../src/iso9660/read.js';
import { inspectIso } from '../../src/site-iso/inspect.js';
import { openReleaseImage } from '../../src/site-iso/release-image.js';
import { readIsoFile } from '../helpers/iso.js';
import { skopeo, startRegistry } from '../helpers/registry.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const options = (dir: string): ReleaseOptions => ({
  base: join(ISO_FIXTURE_DIR, 'el9.iso'),
  contentDir: join(dir, 'content'),
  output: join(dir, 'release.iso'),
  ksAreaBytes: 64 * 1024,
  siteAreaBytes: 1 << 20,
  bootTimeoutSeconds: 5,
  fyrVersion: 'test',
});

test('release tree :: 5,000+ files land under /fyr/payload/registry, read back byte for byte and served by the registry', async () => {
  const dir = await makeTmpdir();
  try {
    const { registry, release } = await makeContentV2(join(dir, 'content'), { synthetic: 640 });
    assert.ok((registry.files as number) > 5000, `${registry.files} files`);
    const result = await buildRelease(options(dir));
    const info = JSON.parse(readIsoFile(result.output, '/release.json').toString()) as ReleaseInfo;
    assert.equal(info.registry, { ...registry, path: '/fyr/payload/registry' });
    assert.is(info.release.image, `quay.io/openshift-release-dev/ocp-release@${release}`);
    assert.is(info.release.signature, 'verified');
    assert.not.ok(
      info.payload.some((p) => p.path.includes('/registry/docker/')),
      'the tree is one entry, not 5,000',
    );
    const check = await execa('checkisomd5', [result.output], { reject: false, all: true });
    assert.is(check.exitCode, 0, check.all);
    // Another reader of the image (xorriso, Rock Ridge on) gets the same tree: the same hash.
    const out = join(dir, 'extracted');
    await execa('xorriso', ['-osirrox', 'on', '-indev', result.output, '-extract', '/fyr/payload/registry', out]);
    const back = await verifyTree(out);
    assert.equal(back.problems, []);
    assert.is(back.summary.sha256, registry.sha256);
    const blobDir = readdirSync(join(out, 'docker/registry/v2/blobs/sha256'));
    assert.ok(blobDir.length === 256, `${blobDir.length} blob prefixes`);
    // fyr inspect --verify: every blob against its name, the tree against its hash.
    const good = await inspectIso(result.output, { verify: true });
    assert.equal(good.verify?.problems, []);
    assert.is(good.verify?.checked.registryFiles, registry.files);
    const registryServer = await startRegistry(out, { dir, readonly: true });
    try {
      for (const tag of ['openshift/release-images:4.18.9-x86_64', 'openshift/release:synthetic-639']) {
        const r = await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${registryServer.host}/${tag}`]);
        assert.is(r.exitCode, 0, r.all);
      }
    } finally {
      await registryServer.stop();
    }
    // One byte flipped inside a blob on the image: named by --verify, the tree hash differs.
    const image = openReleaseImage(result.output);
    const blob = walkIso(image.read, image.volume).find(
      (e) => !e.directory && e.path.endsWith('/data') && e.extents[0]!.length > 1000,
    )!;
    image.close();
    const fd = openSync(result.output, 'r+');
    writeSync(fd, Buffer.from([0xff]), 0, 1, blob.extents[0]!.offset + 100);
    closeSync(fd);
    const bad = await inspectIso(result.output, { verify: true });
    assert.ok(
      bad.verify?.problems.some((p) => p.startsWith(`${blob.path}: sha256 `) && p.includes('its name says')),
      bad.verify?.problems.join('\n'),
    );
    assert.ok(bad.verify?.problems.some((p) => p.startsWith('/fyr/payload/registry: ') && p.includes('tree hash')));
  } finally {
    await removeTmpdir(dir);
  }
});

test('release tree :: a blob whose bytes are not its name stops the release; nothing is written', async () => {
  const dir = await makeTmpdir();
  try {
    await makeContentV2(join(dir, 'content'));
    const root = join(dir, 'content/registry');
    // Same size, other bytes: only the copy's hash can tell.
    const blob = (await listTree(root)).find((f) => blobDigest(f.path) && f.size > 100)!;
    const data = Buffer.alloc(blob.size, 0x5a);
    writeFileSync(join(root, blob.path), data);
    const err = await buildRelease(options(dir)).catch((e: unknown) => e);
    assert.instance(err, InvalidInputError);
    const problems = (err as InvalidInputError).problems;
    assert.equal(
      problems.map((p) => [p.code, p.path]),
      [['CONTENT_BLOB_CORRUPT', 'registry.path']],
    );
    assert.match(problems[0]!.message, `registry/${blob.path} has sha256 `);
    assert.match(problems[0]!.message, `its name says ${blobDigest(blob.path)}`);
    assert.not.ok(existsSync(join(dir, 'release.iso')));
    assert.equal(readdirSync(dir).sort(), ['content']);
  } finally {
    await removeTmpdir(dir);
  }
});

test('release tree :: a changed link, an added file or a missing tree is a problem at its manifest line', async () => {
  const dir = await makeTmpdir();
  try {
    await makeContentV2(join(dir, 'content'));
    const root = join(dir, 'content/registry');
    const files = await listTree(root);
    const tagLinks = files.filter((f) => f.path.endsWith('/current/link'));
    // Point one tag at another image's manifest: every link still resolves, the hash differs.
    writeFileSync(join(root, tagLinks[0]!.path), readFileSyncText(join(root, tagLinks[1]!.path)));
    const err = (await buildRelease(options(dir)).catch((e: unknown) => e)) as InvalidInputError;
    assert.instance(err, InvalidInputError);
    assert.equal(
      err.problems.map((p) => [p.code, p.path]),
      [['CONTENT_TREE_MISMATCH', 'registry.sha256']],
    );
    assert.ok(err.problems[0]!.line > 1, 'located in fyr-content.json');
    appendFileSync(join(root, 'docker/registry/v2/extra'), 'x');
    const err2 = (await buildRelease(options(dir)).catch((e: unknown) => e)) as InvalidInputError;
    assert.equal(
      err2.problems.map((p) => [p.code, p.path]),
      [['CONTENT_TREE_MISMATCH', 'registry.files']],
    );
    await execa('rm', ['-rf', root]);
    const err3 = (await buildRelease(options(dir)).catch((e: unknown) => e)) as InvalidInputError;
    assert.equal(
      err3.problems.map((p) => [p.code, p.message]),
      [['CONTENT_TREE_INVALID', 'registry: not in the content directory']],
    );
  } finally {
    await removeTmpdir(dir);
  }
});

test('release tree :: a link naming a blob the tree lacks is found in the copy (links are read once, there) and stops the release; nothing is written', async () => {
  const dir = await makeTmpdir();
  try {
    await makeContentV2(join(dir, 'content'));
    const root = join(dir, 'content/registry');
    const link = (await listTree(root)).find((f) => f.path.endsWith('/link'))!;
    writeFileSync(join(root, link.path), `sha256:${'0'.repeat(64)}`);
    // Before the copy, only the listing: the deferred links are the tree's link files.
    const loaded = await loadContent(join(dir, 'content'), { deferSmallFiles: true });
    const links = (await listTree(root)).filter((f) => f.path.endsWith('/link')).map((f) => f.path);
    assert.equal(
      loaded.tree!.deferred!.map((f) => f.path),
      links,
    );
    assert.not.ok(
      loaded.tree!.entries.some((f) => f.path.endsWith('/link')),
      'no link is read before the copy',
    );
    const err = (await buildRelease(options(dir)).catch((e: unknown) => e)) as InvalidInputError;
    assert.instance(err, InvalidInputError);
    assert.equal(
      err.problems.map((p) => [p.code, p.path]),
      [['CONTENT_TREE_INVALID', 'registry.path']],
    );
    assert.match(
      err.problems[0]!.message,
      `${link.path}: names sha256:${'0'.repeat(64)}, whose blob is not in the tree`,
    );
    assert.equal(readdirSync(dir).sort(), ['content']);
  } finally {
    await removeTmpdir(dir);
  }
});

const readFileSyncText = (p: string) => readFileSync(p, 'utf8');

test.run();
