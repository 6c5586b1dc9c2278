// inspect --verify against the real checkers: an implanted record whose SKIPSECTORS or
// FRAGMENT COUNT was changed fails checkisomd5, so it must fail --verify; a damaged backup GPT
// fails `sgdisk -v`, so it must fail --verify too.
import { execa } from 'execa';
import { closeSync, copyFileSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { APPDATA_OFFSET, APPDATA_SIZE } from '../../src/iso9660/isomd5.js';
import { PVD_OFFSET } from '../../src/iso9660/read.js';
import { runCli } from '../helpers/cli.js';
import { withTestRelease } from '../helpers/release.js';

function rewrite(file: string, offset: number, length: number, edit: (b: Buffer) => Buffer): void {
  const fd = openSync(file, 'r+');
  try {
    const b = Buffer.alloc(length);
    readSync(fd, b, 0, length, offset);
    const out = edit(b);
    assert.is(out.length, length);
    assert.not.ok(out.equals(b), 'the edit changed nothing');
    writeSync(fd, out, 0, length, offset);
  } finally {
    closeSync(fd);
  }
}

const FIELD = PVD_OFFSET + APPDATA_OFFSET;
const replaceText = (from: string, to: string) => (b: Buffer) =>
  Buffer.from(b.toString('latin1').replace(from, to), 'latin1');

test('verify :: every field of the implanted record is checked, as checkisomd5 reads it', () =>
  withTestRelease('el9', async (dir, release) => {
    const ok = await runCli(['inspect', release, '--verify']);
    assert.is(ok.code, 0, ok.stdout + ok.stderr);
    for (const [what, edit] of [
      ['SKIPSECTORS 15 -> 14', replaceText('SKIPSECTORS = 15', 'SKIPSECTORS = 14')],
      ['FRAGMENT COUNT 20 -> 21', replaceText('FRAGMENT COUNT = 20', 'FRAGMENT COUNT = 21')],
    ] as const) {
      const iso = join(dir, 'edited.iso');
      copyFileSync(release, iso);
      rewrite(iso, FIELD, APPDATA_SIZE, edit);
      const real = await execa('checkisomd5', [iso], { reject: false });
      assert.is.not(real.exitCode, 0, `${what}: checkisomd5 passes it, so the case shows nothing`);
      const r = await runCli(['inspect', iso, '--verify']);
      assert.is(r.code, 1, `${what}: ${r.stdout}`);
      assert.match(r.stdout + r.stderr, /VERIFY_FAILED/, what);
    }
  }));

test('verify :: a damaged backup GPT is found, as sgdisk -v finds it', () =>
  withTestRelease('el10', async (dir, release) => {
    const ok = await runCli(['inspect', release, '--verify']);
    assert.is(ok.code, 0, ok.stdout + ok.stderr);
    const size = (await execa('stat', ['-c', '%s', release])).stdout;
    for (const [what, offset] of [
      ['the backup header', Number(size) - 512 + 40],
      ['the backup entry array', Number(size) - 33 * 512 + 32],
    ] as const) {
      const iso = join(dir, 'edited.iso');
      copyFileSync(release, iso);
      rewrite(iso, offset, 1, (b) => Buffer.from([b[0]! ^ 0xff]));
      const real = await execa('sgdisk', ['-v', iso], { reject: false, all: true });
      assert.match(real.all ?? '', /problem|CRC|mismatch|invalid/i, `${what}: sgdisk -v finds nothing: ${real.all}`);
      const r = await runCli(['inspect', iso, '--verify']);
      assert.is(r.code, 1, `${what}: ${r.stdout}`);
      assert.match(r.stdout, /backup GPT/, what);
    }
  }));

test.run();
