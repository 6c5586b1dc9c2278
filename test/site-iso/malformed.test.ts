// Malformed release ISOs: directory records and extents that lie, and a release.json with the
// wrong types. Each is a clear RELEASE_INVALID from inspect, build and customize, never an
// internal error (exit 70).
import { execa } from 'execa';
import { closeSync, copyFileSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findInIso, PVD_OFFSET, readPrimaryVolume, rawDirectoryRecords } from '../../src/iso9660/read.js';
import { fileReader } from '../../src/util/fs.js';
import { runCli, UNLOCK } from '../helpers/cli.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const FROZEN = 'test/fixtures/releases/fyr-release-1.2026-12.iso.xz';
const ENV = { SOURCE_DATE_EPOCH: '1764547200' };

function patch(file: string, offset: number, bytes: Buffer): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

function u32le(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

// Where things are in the good image, found with fyr's own reader before any damage.
function landmarks(file: string) {
  const fd = openSync(file, 'r');
  try {
    const read = fileReader(fd);
    const volume = readPrimaryVolume(read);
    const root = volume.root;
    // The byte offset of the root directory's record whose Rock Ridge name is `name`.
    const recordAt = (name: string) => {
      const data = read(root.offset, root.length);
      let pos = 0;
      for (const r of rawDirectoryRecords(read, root)) {
        pos = data.indexOf(r, pos);
        const nm = r.indexOf('NM');
        if (nm > 0 && r.toString('latin1', nm + 5, nm + r[nm + 2]!) === name) return root.offset + pos;
      }
      throw new Error(`no ${name} in the root`);
    };
    const json = findInIso(read, '/release.json', volume)!.extents[0]!;
    const text = Buffer.alloc(json.length);
    readSync(fd, text, 0, json.length, json.offset);
    return { root, fyrRecord: recordAt('fyr'), json, jsonText: text.toString('utf8') };
  } finally {
    closeSync(fd);
  }
}

// Every command that opens a release must refuse `iso` as RELEASE_INVALID.
async function assertRefused(iso: string, dir: string, what: string): Promise<void> {
  const runs = {
    inspect: await runCli(['inspect', iso, '--verify']),
    build: await runCli(
      ['build', 'examples/edge/site.yaml', '--release', iso, '-o', join(dir, 'out.iso'), '--force', ...UNLOCK],
      ENV,
    ),
    customize: await runCli(['customize', iso, '--site', 'examples/edge/site.yaml', ...UNLOCK], ENV),
  };
  for (const [name, r] of Object.entries(runs)) {
    assert.is.not(r.code, 70, `${what}: ${name} had an internal error: ${r.stderr}`);
    assert.is(r.code, 1, `${what}: ${name}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /\[RELEASE_INVALID\]|\[VERIFY_FAILED\]/, `${what}: ${name}: ${r.stderr}`);
  }
}

test('malformed iso :: records and extents that lie are RELEASE_INVALID, never exit 70', async () => {
  const dir = await makeTmpdir();
  try {
    const good = join(dir, 'good.iso');
    await execa('xz', ['-dc', FROZEN], { stdout: { file: good } });
    const l = landmarks(good);
    const cases: Array<[string, (iso: string) => void]> = [
      ['a root directory of size 0xFFFFFFFF', (iso) => patch(iso, PVD_OFFSET + 156 + 10, u32le(0xffffffff))],
      ['a root directory past the image', (iso) => patch(iso, PVD_OFFSET + 156 + 2, u32le(0x00ffffff))],
      ['a record of length 255', (iso) => patch(iso, l.fyrRecord, Buffer.from([255]))],
      ['a record with extent 0', (iso) => patch(iso, l.fyrRecord + 2, u32le(0))],
      ['a directory that points at its ancestor', (iso) => patch(iso, l.fyrRecord + 2, u32le(l.root.offset / 2048))],
      ['a record shorter than its header', (iso) => patch(iso, l.fyrRecord, Buffer.from([20]))],
    ];
    for (const [what, damage] of cases) {
      const iso = join(dir, 'bad.iso');
      copyFileSync(good, iso);
      damage(iso);
      await assertRefused(iso, dir, what);
    }
  } finally {
    await removeTmpdir(dir);
  }
});

test('malformed iso :: a release.json with wrong types is RELEASE_INVALID naming the field', async () => {
  const dir = await makeTmpdir();
  try {
    const good = join(dir, 'good.iso');
    await execa('xz', ['-dc', FROZEN], { stdout: { file: good } });
    const l = landmarks(good);
    const info = JSON.parse(l.jsonText);
    const cases: Array<[string, (i: any) => void, string]> = [
      ['payload[0].path a number', (i) => (i.payload[0].path = 7), '/payload/0/path'],
      ['payload: [null]', (i) => (i.payload = [null]), '/payload/0'],
      ['agent missing', (i) => delete i.agent, 'agent'],
      ['md5.md5 "x"', (i) => (i.md5.md5 = 'x'), '/md5'],
      ['embed.site.offset a string', (i) => (i.embed.site.offset = '10999808'), '/embed/site/offset'],
    ];
    for (const [what, edit, field] of cases) {
      const iso = join(dir, 'bad.iso');
      copyFileSync(good, iso);
      const copy = structuredClone(info);
      edit(copy);
      const text = Buffer.alloc(l.json.length, 0x20);
      text.write(JSON.stringify(copy, null, 2));
      patch(iso, l.json.offset, text);
      await assertRefused(iso, dir, what);
      const r = await runCli(['inspect', iso]);
      assert.match(r.stderr, field, `${what}: ${r.stderr}`);
    }
  } finally {
    await removeTmpdir(dir);
  }
});

test.run();
