// isomd5sum's implanted media check, both ways against Debian's implantisomd5 and checkisomd5.
import { copyFileSync, openSync, closeSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatAppData, IsoMd5Hasher, isoMd5Layout, parseAppData, APPDATA_SIZE } from '../../src/iso9660/isomd5.js';
import { PVD_OFFSET, SECTOR } from '../../src/iso9660/read.js';
import { ISO_FIXTURE_DIR } from '../tools/iso-fixtures.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const fixture = (name: string) => join(ISO_FIXTURE_DIR, `${name}.iso`);

function ourSum(data: Buffer, pieces = 300_001) {
  const layout = isoMd5Layout(data.subarray(PVD_OFFSET, PVD_OFFSET + SECTOR));
  const hasher = new IsoMd5Hasher(layout);
  for (let at = 0; at < data.length; at += pieces) hasher.update(data.subarray(at, at + pieces));
  return { layout, result: hasher.result() };
}

function implant(file: string) {
  const data = readFileSync(file);
  const { layout, result } = ourSum(data);
  const fd = openSync(file, 'r+');
  writeSync(fd, formatAppData(result), 0, APPDATA_SIZE, layout.appDataAt);
  closeSync(fd);
  return result;
}

for (const name of ['el9', 'el10']) {
  test(`isomd5 :: ${name}: our implant is byte-identical to implantisomd5's, and checkisomd5 passes it`, async () => {
    const dir = await makeTmpdir();
    try {
      const theirs = join(dir, 'theirs.iso');
      const ours = join(dir, 'ours.iso');
      copyFileSync(fixture(name), theirs);
      copyFileSync(fixture(name), ours);
      await execa('implantisomd5', [theirs]);
      implant(ours);
      assert.ok(readFileSync(theirs).equals(readFileSync(ours)), 'the two images differ');
      const check = await execa('checkisomd5', [ours], { reject: false, all: true });
      assert.is(check.exitCode, 0, check.all);
      assert.match(check.all, /PASS/);
    } finally {
      await removeTmpdir(dir);
    }
  });

  test(`isomd5 :: ${name}: we read implantisomd5's field and recompute the same sum and fragments`, async () => {
    const dir = await makeTmpdir();
    try {
      const theirs = join(dir, 'theirs.iso');
      copyFileSync(fixture(name), theirs);
      await execa('implantisomd5', [theirs]);
      const data = readFileSync(theirs);
      const field = parseAppData(data.subarray(PVD_OFFSET + 883, PVD_OFFSET + 883 + APPDATA_SIZE));
      assert.ok(field);
      const { result } = ourSum(data, 65_536);
      assert.is(result.md5, field.md5);
      assert.is(result.fragmentSums, field.fragmentSums);
      assert.is(field.fragmentSums.length, 60);
      assert.is(field.skipSectors, 15);
    } finally {
      await removeTmpdir(dir);
    }
  });
}

test('isomd5 :: a checkpoint resumed elsewhere gives the same sum as one pass', () => {
  const data = readFileSync(fixture('el10'));
  const { layout, result } = ourSum(data);
  for (const cut of [PVD_OFFSET + 883 + 100, 1 << 20, 32768 * 100 + 2048, layout.hashedLength - 2048]) {
    const first = new IsoMd5Hasher(layout);
    first.update(data.subarray(0, cut));
    const second = new IsoMd5Hasher(layout, JSON.parse(JSON.stringify(first.checkpoint())));
    second.update(data.subarray(cut));
    assert.equal(second.result(), result, `cut at ${cut}`);
  }
});

test('isomd5 :: a changed byte anywhere in the hashed range fails checkisomd5; the skipped tail does not', async () => {
  const dir = await makeTmpdir();
  try {
    const file = join(dir, 'x.iso');
    copyFileSync(fixture('el9'), file);
    implant(file);
    const size = readFileSync(file).length;
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.from('!'), 0, 1, size - 1024);
    closeSync(fd);
    assert.is(
      (await execa('checkisomd5', [file], { reject: false })).exitCode,
      0,
      'a byte in the skipped sectors must not matter',
    );
    const fd2 = openSync(file, 'r+');
    writeSync(fd2, Buffer.from('!'), 0, 1, 5 * 1024 * 1024);
    closeSync(fd2);
    const check = await execa('checkisomd5', [file], { reject: false, all: true });
    assert.is.not(check.exitCode, 0);
    assert.match(check.all, /FAIL/);
  } finally {
    await removeTmpdir(dir);
  }
});

test('isomd5 :: the application-use text is what implantisomd5 writes, padded with spaces', () => {
  const field = formatAppData({ md5: 'a'.repeat(32), fragmentSums: 'b'.repeat(60) });
  assert.is(field.length, 512);
  assert.is(
    field.toString('latin1').trimEnd(),
    `ISO MD5SUM = ${'a'.repeat(32)};SKIPSECTORS = 15;RHLISOSTATUS=0;FRAGMENT SUMS = ${'b'.repeat(60)};FRAGMENT COUNT = 20;THIS IS NOT THE SAME AS RUNNING MD5SUM ON THIS ISO!!`,
  );
  assert.is(parseAppData(Buffer.alloc(512, 0x20)), undefined);
});

test.run();
