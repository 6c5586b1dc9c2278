// The registry tree as the real registry writes it (Debian's docker-registry, fed by the real
// skopeo): listed, hashed and checked; a corrupted blob, a dangling link, a symlink are caught.
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { blobDigest, expectedHashes, listTree, treeHash, TreeError, verifyTree } from '../../src/registry/tree.js';
import { pushRelease, skopeo, startRegistry } from '../helpers/registry.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

test('registry tree :: the tree hash is sha256 of the sorted path\\0size\\0sha256 lines', () => {
  const files = [
    { path: 'a', size: 1, sha256: 'x'.repeat(64) },
    { path: 'b/c', size: 22, sha256: 'y'.repeat(64) },
  ];
  const lines = `a\x001\x00${'x'.repeat(64)}\nb/c\x0022\x00${'y'.repeat(64)}\n`;
  assert.equal(treeHash(files), {
    files: 2,
    bytes: 23,
    sha256: createHash('sha256').update(lines).digest('hex'),
  });
});

test('registry tree :: a blob path names its digest; other paths name none', () => {
  const hex = 'ab'.padEnd(64, '0');
  assert.is(blobDigest(`docker/registry/v2/blobs/sha256/ab/${hex}/data`), hex);
  assert.is(blobDigest(`docker/registry/v2/blobs/sha256/cd/${hex}/data`), undefined);
  assert.is(blobDigest(`docker/registry/v2/repositories/x/_layers/sha256/${hex}/link`), undefined);
});

test("registry tree :: expected sums: a blob's is its name unread, a link's is computed, a bad link is named", async () => {
  const dir = await makeTmpdir();
  try {
    const hex = 'ab'.padEnd(64, '1');
    const other = 'cd'.padEnd(64, '2');
    const put = (path: string, text: string) => {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    };
    // The blob's bytes do not match its name: only the copy reads blobs, so the sum is the name.
    put(`docker/registry/v2/blobs/sha256/ab/${hex}/data`, 'not checked here');
    put('docker/registry/v2/repositories/r/_layers/sha256/a/link', `sha256:${hex}\n`);
    put('docker/registry/v2/repositories/r/_layers/sha256/b/link', `sha256:${other}`);
    put('docker/registry/v2/repositories/r/_layers/sha256/c/link', 'garbage');
    const { hashed, broken } = await expectedHashes(dir, await listTree(dir));
    const sum = (text: string) => createHash('sha256').update(text).digest('hex');
    assert.equal(
      hashed.map((f) => f.sha256),
      [hex, sum(`sha256:${hex}\n`), sum(`sha256:${other}`), sum('garbage')],
    );
    assert.equal(broken, [
      `docker/registry/v2/repositories/r/_layers/sha256/b/link: names sha256:${other}, whose blob is not in the tree`,
      'docker/registry/v2/repositories/r/_layers/sha256/c/link: holds "garbage", not a sha256 digest',
    ]);
  } finally {
    await removeTmpdir(dir);
  }
});

test('registry tree :: a tree written by the real registry verifies; damage is named per file', async () => {
  const dir = await makeTmpdir();
  const root = join(dir, 'registry');
  const registry = await startRegistry(root, { dir });
  try {
    const { release } = await pushRelease(registry.host, join(dir, 'oci'));
    const inspect = await skopeo([
      'inspect',
      '--tls-verify=false',
      `docker://${registry.host}/openshift/release-images:4.18.9-x86_64`,
    ]);
    assert.is(JSON.parse(inspect.stdout).Digest, release);
  } finally {
    await registry.stop();
  }
  try {
    const files = await listTree(root);
    assert.ok(files.length >= 20, `${files.length} files`);
    assert.ok(files.every((f) => f.path.startsWith('docker/registry/v2/')));
    assert.not.ok(
      files.some((f) => f.path.includes('_uploads')),
      'no upload leftovers listed',
    );
    const good = await verifyTree(root);
    assert.equal(good.problems, []);
    assert.is(good.summary.files, files.length);
    const blob = files.find((f) => blobDigest(f.path))!;
    appendFileSync(join(root, blob.path), 'x');
    const link = files.find((f) => f.path.endsWith('/link'))!;
    writeFileSync(join(root, link.path), `sha256:${'0'.repeat(64)}`);
    const bad = await verifyTree(root);
    assert.equal(bad.problems.length, 2, bad.problems.join('\n'));
    assert.match(bad.problems.join('\n'), `${blob.path}: its content has sha256`);
    assert.match(
      bad.problems.join('\n'),
      `${link.path}: names sha256:${'0'.repeat(64)}, whose blob is not in the tree`,
    );
    assert.is.not(bad.summary.sha256, good.summary.sha256);
    symlinkSync('/etc/passwd', join(root, 'docker/registry/v2/evil'));
    const err = await listTree(root).catch((e: unknown) => e);
    assert.instance(err, TreeError);
    assert.equal((err as TreeError).problems, ['docker/registry/v2/evil: not a regular file or directory']);
  } finally {
    await removeTmpdir(dir);
  }
});

test.run();
