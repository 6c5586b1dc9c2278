// Copying the payload into planned extents: bytes land where planned, sha256 is checked on the
// way, the MD5 state at the first area (node:crypto through the pad, or fyr's own MD5) and the
// MD5 over the rest once it is final match fyr's MD5 of the finished file, zeros stay holes,
// and a mismatch stops the writing but still reports every bad file.
import { createHash } from 'node:crypto';
import {
  closeSync,
  constants,
  ftruncateSync,
  openSync,
  readFileSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fillPayload, type FillFile } from '../../src/release/fill-payload.js';
import { IsoMd5Hasher, isoMd5Layout, md5PaddingBlock } from '../../src/iso9660/isomd5.js';
import { PVD_OFFSET, SECTOR } from '../../src/iso9660/read.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const MIB = 1 << 20;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

// An image file of `size` bytes whose only content is a primary volume descriptor.
function image(path: string, size: number): void {
  const fd = openSync(path, 'w');
  ftruncateSync(fd, size);
  const pvd = Buffer.alloc(SECTOR);
  pvd[0] = 1;
  pvd.write('CD001', 1, 'latin1');
  pvd.writeUInt32LE(size / SECTOR, 80);
  pvd.writeUInt32BE(size / SECTOR, 84);
  writeSync(fd, pvd, 0, SECTOR, PVD_OFFSET);
  closeSync(fd);
}

function patterned(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size + 3);
  for (let i = 0; i < size; i += 4) b.writeUInt32LE(Math.imul(i + seed, 2654435761) >>> 0, i);
  return b.subarray(0, size);
}

// Node's types leave WebAssembly out; its shared memory is page-aligned, as O_DIRECT needs.
declare const WebAssembly: {
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => { buffer: ArrayBufferLike };
};

// Whether the filesystem under `dir` takes O_DIRECT writes (tmpfs on some kernels does not).
async function takesDirectWrites(dir: string): Promise<boolean> {
  const fd = await open(join(dir, 'probe'), constants.O_RDWR | constants.O_CREAT | constants.O_DIRECT).catch(
    () => undefined,
  );
  if (!fd) return false;
  const aligned = Buffer.from(new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer, 0, 512);
  const ok = await fd.write(aligned, 0, 512, 0).then(
    () => true,
    () => false,
  );
  await fd.close();
  return ok;
}

for (const [pad, direct] of [
  [true, true],
  [false, false],
] as const) {
  test(`fill-payload :: bytes land in their extents, zeros stay holes, the MD5 state at the area is fyr's own MD5's (${pad ? 'node:crypto through the pad' : "fyr's MD5"}, ${direct ? 'direct writes where possible' : 'buffered writes'})`, async () => {
    const dir = await makeTmpdir();
    try {
      const size = 64 * MIB;
      const stopAt = 48 * MIB + 32 * 1024;
      const target = join(dir, 'image.iso');
      image(target, size);
      if (pad) {
        const fd = openSync(target, 'r+');
        writeSync(fd, md5PaddingBlock(stopAt - 64), 0, 64, stopAt - 64);
        closeSync(fd);
      }
      const a = patterned(9 * MIB + 5, 1);
      const b = patterned(3000, 2);
      const zeros = Buffer.alloc(24 * MIB);
      writeFileSync(join(dir, 'a'), a);
      writeFileSync(join(dir, 'b'), b);
      writeFileSync(join(dir, 'z'), zeros);
      const files: FillFile[] = [
        // Two extents, as a file over 4 GiB would have; its end is not on a 512-byte boundary.
        {
          source: join(dir, 'a'),
          sha256: sha256(a),
          size: a.length,
          extents: [
            { offset: 1 * MIB, length: 4 * MIB },
            { offset: 5 * MIB, length: 5 * MIB + 5 },
          ],
        },
        // The next sector: rounding a's last direct write up must not reach it.
        {
          source: join(dir, 'b'),
          sha256: sha256(b),
          size: b.length,
          extents: [{ offset: 10 * MIB + 2048, length: b.length }],
        },
        {
          source: join(dir, 'z'),
          sha256: sha256(zeros),
          size: zeros.length,
          extents: [{ offset: 20 * MIB, length: zeros.length }],
        },
      ];
      const seen: number[] = [];
      const result = await fillPayload({ path: target, stopAt, padAt: pad ? stopAt - 64 : undefined }, files, {
        direct,
        onProgress: (e) => seen.push(e.done!),
      });
      assert.equal(result.mismatches, []);
      assert.is(result.direct, direct && (await takesDirectWrites(dir)));
      assert.is(seen.at(-1), a.length + b.length + zeros.length);
      const data = readFileSync(target);
      assert.ok(data.subarray(MIB, MIB + a.length).equals(a));
      assert.ok(data.subarray(10 * MIB + 5, 10 * MIB + 2048).every((x) => x === 0));
      assert.ok(data.subarray(10 * MIB + 2048, 10 * MIB + 2048 + b.length).equals(b));
      // The zero file was not written: the image still takes little more than the other file.
      assert.ok(statSync(target).blocks * 512 < 16 * MIB, `${statSync(target).blocks * 512} bytes allocated`);
      const hasher = new IsoMd5Hasher(isoMd5Layout(data.subarray(PVD_OFFSET, PVD_OFFSET + SECTOR)));
      hasher.update(data.subarray(0, stopAt));
      assert.equal(result.checkpoint, hasher.checkpoint());
      // Bytes after the checkpoint, changed before the worker goes on: it hashes them as they
      // are then, to the end.
      const tail = patterned(MIB, 3);
      const fd = openSync(target, 'r+');
      writeSync(fd, tail, 0, tail.length, stopAt + SECTOR);
      closeSync(fd);
      hasher.update(readFileSync(target).subarray(stopAt));
      assert.equal(await result.md5!.rest(), hasher.result());
      await result.md5!.stop();
    } finally {
      await removeTmpdir(dir);
    }
  });
}

test('fill-payload :: every sha256 mismatch is reported, and nothing is written after the first', async () => {
  const dir = await makeTmpdir();
  try {
    const size = 32 * MIB;
    const target = join(dir, 'image.iso');
    image(target, size);
    const bufs = [patterned(MIB, 1), patterned(MIB, 2), patterned(MIB, 3)];
    bufs.forEach((b, i) => writeFileSync(join(dir, `f${i}`), b));
    const files: FillFile[] = bufs.map((b, i) => ({
      source: join(dir, `f${i}`),
      sha256: i === 0 ? sha256(b) : '0'.repeat(64),
      size: b.length,
      extents: [{ offset: (4 + 2 * i) * MIB, length: b.length }],
    }));
    const result = await fillPayload({ path: target, stopAt: 16 * MIB, padAt: undefined }, files);
    assert.equal(result.mismatches, [
      { index: 1, actual: sha256(bufs[1]!) },
      { index: 2, actual: sha256(bufs[2]!) },
    ]);
    assert.is(result.checkpoint, undefined);
    const data = readFileSync(target);
    assert.ok(data.subarray(4 * MIB, 5 * MIB).equals(bufs[0]!));
    assert.ok(
      data.subarray(8 * MIB, 9 * MIB).every((b) => b === 0),
      'the file after the first mismatch was not written',
    );
  } finally {
    await removeTmpdir(dir);
  }
});

test.run();
