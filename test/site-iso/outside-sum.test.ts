// fyr build and customize refuse a release changed outside its payload (the system area, a
// directory record, a boot file), which the saved MD5 state cannot notice: the site ISO's media
// check would fail. A changed payload byte stays for --verify and fyr inspect --verify.
import { execa } from 'execa';
import { closeSync, copyFileSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findInIso, readPrimaryVolume } from '../../src/iso9660/read.js';
import { fileReader } from '../../src/util/fs.js';
import { runCli, UNLOCK } from '../helpers/cli.js';
import { withTestRelease } from '../helpers/release.js';

const ENV = { SOURCE_DATE_EPOCH: '1764547200' };

function flip(file: string, offset: number): void {
  const fd = openSync(file, 'r+');
  try {
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, offset);
    b[0] = b[0]! ^ 0x5a;
    writeSync(fd, b, 0, 1, offset);
  } finally {
    closeSync(fd);
  }
}

function offsetOf(iso: string, path: string, into = 0): number {
  const fd = openSync(iso, 'r');
  try {
    const read = fileReader(fd);
    const volume = readPrimaryVolume(read);
    return (path === '/' ? volume.root.offset : findInIso(read, path, volume)!.extents[0]!.offset) + into;
  } finally {
    closeSync(fd);
  }
}

const build = (release: string, out: string) =>
  runCli(['build', 'examples/edge/site.yaml', '--release', release, '-o', out, '--force', ...UNLOCK], ENV);
const customize = (iso: string) => runCli(['customize', iso, '--site', 'examples/edge/site.yaml', ...UNLOCK], ENV);

test('outside sum :: a byte changed outside the payload is refused by build and customize', () =>
  withTestRelease('el9', async (dir, release) => {
    const out = join(dir, 'site.iso');
    const good = await build(release, out);
    assert.is(good.code, 0, good.stderr);
    assert.is((await execa('checkisomd5', [out], { reject: false })).exitCode, 0);
    const places: Array<[string, number]> = [
      ['the MBR (offset 440)', 440],
      ['the primary volume descriptor', 16 * 2048 + 200],
      ["the root directory's records", offsetOf(release, '/', 0) + 40],
      ['the EFI boot image', offsetOf(release, '/images/efiboot.img', 1000)],
    ];
    for (const [what, offset] of places) {
      const bad = join(dir, 'bad.iso');
      copyFileSync(release, bad);
      flip(bad, offset);
      const built = await build(bad, out);
      assert.is(built.code, 1, `${what}: build accepted it`);
      assert.match(built.stderr, /outside the payload .*\[RELEASE_INVALID\]/, what);
      const custom = await customize(bad);
      assert.is(custom.code, 1, `${what}: customize accepted it`);
      assert.match(custom.stderr, /\[RELEASE_INVALID\]/, what);
    }
  }));

test('outside sum :: a changed payload byte is left to inspect --verify', () =>
  withTestRelease('el9', async (dir, release) => {
    const bad = join(dir, 'bad.iso');
    copyFileSync(release, bad);
    flip(bad, offsetOf(release, '/fyr/payload/bin/oc', 100));
    const built = await build(bad, join(dir, 'site.iso'));
    assert.is(built.code, 0, built.stderr);
    const verified = await runCli(['inspect', bad, '--verify']);
    assert.is(verified.code, 1);
    assert.match(verified.stdout, /\/fyr\/payload\/bin\/oc: sha256/);
  }));

test.run();
