// The resumable MD5 against node:crypto and the md5sum program.
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Md5 } from '../../src/iso9660/md5.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const native = (data: Buffer) => createHash('md5').update(data).digest('hex');

test('md5 :: RFC 1321 test vectors', () => {
  assert.is(new Md5().hex(), 'd41d8cd98f00b204e9800998ecf8427e');
  assert.is(new Md5().update(Buffer.from('abc')).hex(), '900150983cd24fb0d6963f7d28e17f72');
  assert.is(
    new Md5()
      .update(Buffer.from('12345678901234567890123456789012345678901234567890123456789012345678901234567890'))
      .hex(),
    '57edf4a22be3c955ac49da2e2107b67a',
  );
});

test('md5 :: matches node:crypto for every length around block and chunk edges, fed in odd pieces', () => {
  for (const n of [
    1,
    55,
    56,
    57,
    63,
    64,
    65,
    127,
    128,
    1000,
    (1 << 20) - 1,
    1 << 20,
    (1 << 20) + 65,
    3 * (1 << 20) + 7,
  ]) {
    const data = randomBytes(n);
    const md5 = new Md5();
    for (let at = 0, step = 1; at < n; at += step, step = step * 3 + 7) md5.update(data.subarray(at, at + step));
    assert.is(md5.hex(), native(data), `length ${n}`);
  }
});

test("md5 :: aligned input is compressed in place, unaligned input is copied: both give node:crypto's digest", () => {
  const backing = randomBytes(3 * (1 << 20) + 200);
  for (const start of [0, 1, 2, 3, 4, 64]) {
    for (const length of [64, 4096, (1 << 20) + 130, 2 * (1 << 20) + 64]) {
      const view = backing.subarray(start, start + length);
      const whole = new Md5().update(view).hex();
      // A pending partial block first, so the rest is not on a block boundary of the input.
      const split = new Md5().update(view.subarray(0, 5)).update(view.subarray(5)).hex();
      assert.is(whole, native(view), `start ${start}, length ${length}`);
      assert.is(split, native(view), `start ${start}, length ${length}, split`);
    }
  }
});

test('md5 :: an exported state resumes in a fresh object and gives the same digest', () => {
  const data = randomBytes(5 * 1024 * 1024 + 123);
  for (const cut of [0, 1, 64, 2048, 1_000_003, 5 * 1024 * 1024]) {
    const first = new Md5().update(data.subarray(0, cut));
    const state = JSON.parse(JSON.stringify(first.exportState()));
    const resumed = Md5.resume(state).update(data.subarray(cut));
    assert.is(resumed.hex(), native(data), `cut at ${cut}`);
  }
});

test('md5 :: digest() does not disturb the running hash (fragment sums need that)', () => {
  const a = randomBytes(1000);
  const b = randomBytes(3000);
  const md5 = new Md5().update(a);
  assert.is(md5.hex(), native(a));
  md5.update(b);
  assert.is(md5.hex(), native(Buffer.concat([a, b])));
});

test('md5 :: resume refuses a state that is not one', () => {
  assert.throws(() => Md5.resume({ words: 'zz', length: 0, pending: '' }), /not an MD5 state/);
  assert.throws(() => Md5.resume({ words: '00'.repeat(16), length: 65, pending: '' }), /not an MD5 state/);
});

test('md5 :: agrees with md5sum on a file', async () => {
  const dir = await makeTmpdir();
  try {
    const data = randomBytes(2 * 1024 * 1024 + 5);
    const file = join(dir, 'data.bin');
    writeFileSync(file, data);
    const { stdout } = await execa('md5sum', [file]);
    assert.is(new Md5().update(data).hex(), stdout.split(' ')[0]);
  } finally {
    await removeTmpdir(dir);
  }
});

test.run();
