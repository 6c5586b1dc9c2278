// Small files batched into one piece, read in the batch's turn or ahead of it while the copy
// waits: the same bytes in the same places, the same sha256s, and a file that could not be read
// ahead is read in its turn.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { piecesOf, ReadAhead, readBatch, type FillFile } from '../../src/release/payload-pieces.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function smallFiles(dir: string, count: number): { files: FillFile[]; bytes: Buffer[] } {
  const bytes = Array.from({ length: count }, (_, i) => Buffer.from(`sha256:${String(i).repeat(64).slice(0, 64)}`));
  const files = bytes.map((b, i) => ({
    source: join(dir, `link${i}`),
    sha256: sha256(b),
    size: b.length,
    // One after the other, each on its own sector.
    extents: [{ offset: (100 + i) * 2048, length: b.length }],
  }));
  return { files, bytes };
}

test('payload-pieces :: a batch read ahead lands as one read in its turn does', async () => {
  const dir = await makeTmpdir();
  try {
    const { files, bytes } = smallFiles(dir, 40);
    // The third file is not there yet when the copy reads ahead: its turn reads it.
    bytes.forEach((b, i) => i !== 2 && writeFileSync(files[i]!.source, b));
    const pieces = piecesOf(files);
    assert.is(pieces.length, 1);
    assert.equal(pieces[0]!.batch!.length, 40);
    const ahead = new ReadAhead(files, pieces);
    assert.ok(ahead.step(32), 'more to read after 32 files');
    assert.not.ok(ahead.step(32), 'nothing left after 40');
    writeFileSync(files[2]!.source, bytes[2]!);
    // Changed after it was read ahead: what was read is what is copied and checked.
    writeFileSync(files[5]!.source, 'changed');
    const slot = Buffer.alloc(pieces[0]!.length + 100, 0xff);
    const sums = readBatch(files, pieces[0]!, slot, ahead);
    assert.equal(
      sums,
      bytes.map((b) => sha256(b)),
    );
    const plain = Buffer.alloc(slot.length, 0xff);
    writeFileSync(files[5]!.source, bytes[5]!);
    assert.equal(readBatch(files, pieces[0]!, plain), sums);
    assert.ok(slot.equals(plain), 'the same bytes in the same places, zeros between them');
  } finally {
    await removeTmpdir(dir);
  }
});

test('payload-pieces :: reading ahead stops at its budget', async () => {
  const dir = await makeTmpdir();
  try {
    const { files, bytes } = smallFiles(dir, 10);
    bytes.forEach((b, i) => writeFileSync(files[i]!.source, b));
    const pieces = piecesOf(files);
    const ahead = new ReadAhead(files, pieces, 3 * bytes[0]!.length);
    assert.not.ok(ahead.step(32), 'no room for a fourth');
    assert.ok(ahead.take(0) && ahead.take(2));
    assert.is(ahead.take(3), undefined);
    // Room again: the next files are read.
    ahead.step(32);
    assert.ok(ahead.take(3));
  } finally {
    await removeTmpdir(dir);
  }
});

test.run();
