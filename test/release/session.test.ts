// The zeros fyr release knows it left between payload files (payloadGaps), and the outside
// hash taking them as zeros without reading: the same hash as reading them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { outsideSha256 } from '../../src/formats/release-outside.js';
import { payloadGaps } from '../../src/release/session.js';

const file = (offset: number, length: number) => ({
  isoPath: '/fyr/x',
  size: length,
  mode: 0o644,
  extents: [{ offset, length }],
});

test('session :: payloadGaps vouches for the zeros up to the next payload file, nothing else', () => {
  const session = { files: [file(4096, 71), file(6144, 2048), file(8192, 0)] };
  const zeros = payloadGaps(session);
  assert.ok(zeros(4096 + 71, 2048 - 71), 'the tail after 71 bytes');
  assert.ok(zeros(4096 + 71, 10), 'part of it');
  assert.not.ok(zeros(4096 + 71, 2048 - 70), 'one byte into the next sector');
  assert.not.ok(zeros(4096 + 70, 5), 'from inside the file');
  assert.not.ok(zeros(6144 + 2048, 1), 'a file ending on a sector boundary has no tail');
  assert.not.ok(zeros(8192, 1), 'an empty file has none');
  // A large file moved to a 4 KiB boundary: the skipped sector is a gap of zeros too.
  const aligned = payloadGaps({ files: [file(4096, 71), file(8192, 100_000)] });
  assert.ok(aligned(4096 + 71, 4096 - 71), 'the tail and the skipped sector');
  assert.not.ok(aligned(4096 + 71, 4096 - 70), 'not into the next file');
});

test('session :: the outside hash over vouched zeros is the hash of reading them', () => {
  const image = Buffer.alloc(8192, 0x41);
  image.fill(0, 4096 + 71, 6144);
  const ranges: Array<[number, number]> = [
    [0, 100],
    [4096 + 71, 2048 - 71],
  ];
  let reads = 0;
  const read = (at: number, length: number) => {
    reads++;
    return image.subarray(at, at + length);
  };
  const plain = outsideSha256(read, ranges);
  assert.is(reads, 2);
  reads = 0;
  const vouched = outsideSha256(read, ranges, (at, length) => at === 4096 + 71 && length <= 2048 - 71);
  assert.is(vouched, plain);
  assert.is(reads, 1, 'the vouched range is not read');
});

test.run();
