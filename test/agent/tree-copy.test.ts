// The registry tree's copy to the bastion's disk: whole and checked, resumed after a kill
// without copying a file twice, and a damaged blob on the media stops it.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyTree, TreeCopyError } from '../../src/agent/tree-copy.js';
import { blobDigest, listTree, verifyTree } from '../../src/registry/tree.js';
import { writeSyntheticTree } from '../helpers/registry.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

test('tree copy :: a copy killed halfway resumes from its journal, copies each file once, and checks the tree hash', async () => {
  const dir = await makeTmpdir();
  try {
    const stick = join(dir, 'stick');
    writeSyntheticTree(stick, { images: 20, layerBytes: 10_000 });
    const { summary } = await verifyTree(stick);
    const to = join(dir, 'disk');
    const journal = join(dir, 'tree.copied');
    // Killed after 60 files: the callback throws as a SIGKILL would stop it.
    const stop = new Error('killed');
    const first = await copyTree(stick, to, journal, summary, (done) => {
      if (done === 60) throw stop;
    }).catch((e: unknown) => e);
    assert.is(first, stop);
    assert.is(readFileSync(journal, 'utf8').split('\n').filter(Boolean).length, 60);
    const second = await copyTree(stick, to, journal, summary);
    assert.equal([second.copied, second.skipped], [summary.files - 60, 60]);
    const copy = await verifyTree(to);
    assert.equal(copy.problems, []);
    assert.is(copy.summary.sha256, summary.sha256);
    // Nothing left half-written.
    assert.not.ok((await listTree(to)).some((f) => f.path.endsWith('.part')));
  } finally {
    await removeTmpdir(dir);
  }
});

test('tree copy :: a blob whose bytes are not its name on the media stops the copy; a changed link fails the tree hash', async () => {
  const dir = await makeTmpdir();
  try {
    const stick = join(dir, 'stick');
    writeSyntheticTree(stick, { images: 3, layerBytes: 5000 });
    const { summary } = await verifyTree(stick);
    const files = await listTree(stick);
    const blob = files.find((f) => blobDigest(f.path))!;
    writeFileSync(join(stick, blob.path), Buffer.alloc(blob.size, 1));
    const err = await copyTree(stick, join(dir, 'disk'), join(dir, 'j'), summary).catch((e: unknown) => e);
    assert.instance(err, TreeCopyError);
    assert.match((err as Error).message, `${blob.path} on the install media has sha256`);
    const stick2 = join(dir, 'stick2');
    writeSyntheticTree(stick2, { images: 3, layerBytes: 5000 });
    const link = (await listTree(stick2)).find((f) => f.path.endsWith('/current/link'))!;
    appendFileSync(join(stick2, link.path), '\n');
    const err2 = await copyTree(stick2, join(dir, 'disk2'), join(dir, 'j2'), summary).catch((e: unknown) => e);
    assert.instance(err2, TreeCopyError);
    assert.match((err2 as Error).message, 'the release says');
  } finally {
    await removeTmpdir(dir);
  }
});

test.run();
