// fyr's own ISO 9660 tree of the payload: records byte for byte, names, and the planned session
// over a real base image read back by xorriso and osirrox (the programs that must load it).
import { copyFileSync, closeSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual as isEqual } from 'node:util';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isFyrError } from '../../src/errors.js';
import { directoryEntries, readPrimaryVolume, walkIso } from '../../src/iso9660/read.js';
import {
  directoryRecord,
  isoName,
  MAX_EXTENT,
  nameEntry,
  packRecords,
  posixEntry,
  recordDate,
} from '../../src/iso9660/records.js';
import { planPayloadSession } from '../../src/release/payload-session.js';
import { graft, writeDirs, writeImport } from '../../src/release/session.js';
import { releaseArgs } from '../../src/release/xorriso.js';
import { ISO_FIXTURE_DIR } from '../tools/iso-fixtures.js';
import { withImage } from '../helpers/iso.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const BASE = join(ISO_FIXTURE_DIR, 'el9.iso');
const EPOCH = 1700000000;

test('payload-session :: ISO names: upper case d-characters, one dot and ;1 for files, unique per directory', () => {
  const taken = new Set<string>();
  assert.is(isoName('rhcos-live-rootfs.x86_64.img', false, taken), 'RHCOS_LIVE_ROOTFS_X86_64.IMG;1');
  assert.is(isoName('openshift-install', false, taken), 'OPENSHIFT_INSTALL.;1');
  assert.is(isoName('rhcos', true, taken), 'RHCOS');
  assert.is(isoName('RHCOS', true, taken), 'RHCOS_1');
  assert.is(isoName('a-very-long-name-that-does-not-fit-thirty.tar', false, taken), 'A_VERY_LONG_NAME_THAT_DOES.TAR;1');
  assert.is(
    isoName('a-very-long-name-that-does-not-fit-anywhere.tar', false, taken),
    'A_VERY_LONG_NAME_THAT_DO_1.TAR;1',
  );
});

test('payload-session :: a directory record, byte for byte (ECMA-119 9.1, Rock Ridge PX and NM)', () => {
  const su = Buffer.concat([posixEntry(0o100644, 1), nameEntry('oc')]);
  const r = directoryRecord({
    lba: 0x123456,
    size: 0x789a,
    directory: false,
    more: true,
    id: Buffer.from('OC.;1'),
    systemUse: su,
    date: recordDate(EPOCH),
  });
  assert.is(r.length, 33 + 5 + 0 + 36 + 7);
  assert.is(r[0], r.length);
  assert.equal([...r.subarray(2, 10)], [0x56, 0x34, 0x12, 0, 0, 0x12, 0x34, 0x56]);
  assert.equal([...r.subarray(10, 18)], [0x9a, 0x78, 0, 0, 0, 0, 0x78, 0x9a]);
  // 2023-11-14 22:13:20 UTC
  assert.equal([...r.subarray(18, 25)], [123, 11, 14, 22, 13, 20, 0]);
  assert.is(r[25], 0x80, 'multi-extent flag, not a directory');
  assert.equal([...r.subarray(28, 32)], [1, 0, 0, 1]);
  assert.is(r.toString('latin1', 33, 38), 'OC.;1');
  assert.is(r.toString('latin1', 38, 40), 'PX');
  assert.is(r.readUInt32LE(42), 0o100644);
  assert.is(r.toString('latin1', 74, 76), 'NM');
  assert.is(r.toString('latin1', 79, 81), 'oc');
  // An even-length identifier is followed by a pad byte.
  const dir = directoryRecord({
    lba: 1,
    size: 2048,
    directory: true,
    id: Buffer.from('FYR0'),
    systemUse: Buffer.alloc(0),
    date: recordDate(0),
  });
  assert.is(dir.length, 38);
  assert.is(dir[25], 2);
});

test('payload-session :: records never cross a sector boundary', () => {
  const record = Buffer.alloc(200, 1);
  record[0] = 200;
  const packed = packRecords(Array.from({ length: 11 }, () => record));
  assert.is(packed.length, 4096);
  assert.is(packed[2000], 0, 'the 11th record starts the next sector');
  assert.is(packed[2048], 200);
});

// The image as fyr release makes it: the base, what xorriso loads, xorriso's session on top
// (the boot replayed, a file added to /fyr), fyr's directories, the graft; then the files' bytes.
async function planned(
  dir: string,
  files: Array<{ isoPath: string; data: Buffer } | { isoPath: string; size: number }>,
  beforeGraft?: (image: string) => Promise<void>,
) {
  const image = join(dir, 'image.iso');
  copyFileSync(BASE, image);
  const baseSize = statSync(BASE).size;
  const session = withImage(BASE, (read) =>
    planPayloadSession(
      read,
      baseSize,
      files.map((f) => ({ isoPath: f.isoPath, size: 'data' in f ? f.data.length : f.size, mode: 0o644 })),
      EPOCH,
    ),
  );
  writeImport(image, session);
  writeFileSync(join(dir, 'added'), 'added by xorriso\n');
  await execa(
    'xorriso',
    releaseArgs({
      image,
      volumeId: 'T',
      boot: 'replay',
      updates: [],
      maps: [[join(dir, 'added'), '/fyr/added']],
      last: [],
      epoch: EPOCH,
    }),
  );
  writeDirs(image, session);
  await beforeGraft?.(image);
  graft(image, session);
  const fd = openSync(image, 'r+');
  files.forEach((f, i) => 'data' in f && writeSync(fd, f.data, 0, f.data.length, session.files[i]!.extents[0]!.offset));
  closeSync(fd);
  return { image, session, baseSize };
}

// isoinfo (genisoimage's reader, not libisofs) lists the tree with its Rock Ridge names and
// prints the path table as it reads it: every directory, at the extent walkIso finds.
async function assertIsoinfo(image: string, paths: readonly string[]): Promise<void> {
  const listed = new Set((await execa('isoinfo', ['-R', '-f', '-i', image])).stdout.split('\n'));
  for (const p of paths) assert.ok(listed.has(p), `isoinfo lists ${p}`);
  const table = (await execa('isoinfo', ['-p', '-i', image])).stdout.split('\n').slice(1).filter(Boolean);
  const dirs = withImage(image, (read) => walkIso(read)).filter((e) => e.directory);
  assert.is(table.length, dirs.length + 1, 'isoinfo reads every directory and the root in the path table');
  const extents = new Set(table.map((line) => parseInt(line.trim().split(/\s+/)[2]!, 16)));
  for (const d of dirs) assert.ok(extents.has(d.extents[0]!.offset / 2048), `${d.path} in isoinfo's path table`);
}

// A record's Rock Ridge PX link count.
function pxLinks(raw: Buffer): number {
  const idLength = raw[32]!;
  for (let at = 33 + idLength + (idLength % 2 === 0 ? 1 : 0); at + 4 <= raw.length; at += raw[at + 2]!) {
    if (raw.toString('latin1', at, at + 2) === 'PX') return raw.readUInt32LE(at + 12);
    if (raw[at + 2]! < 4) break;
  }
  return -1;
}

// ECMA-119 9.4: the type L and type M tables list every directory the tree has, at its extent,
// under its parent, by level, then parent number, then identifier.
function assertPathTables(image: string): void {
  const { dirs, tables } = withImage(image, (read) => {
    const pvd = read(16 * 2048, 2048);
    const size = pvd.readUInt32LE(132);
    return {
      dirs: walkIso(read).filter((e) => e.directory),
      tables: {
        l: Buffer.from(read(pvd.readUInt32LE(140) * 2048, size)),
        m: Buffer.from(read(pvd.readUInt32BE(148) * 2048, size)),
        root: pvd.readUInt32LE(158),
      },
    };
  });
  const rows: Array<{ id: string; lba: number; parent: number }> = [];
  for (let at = 0; at < tables.l.length;) {
    const n = tables.l[at]!;
    const row = {
      id: tables.l.toString('latin1', at + 8, at + 8 + n),
      lba: tables.l.readUInt32LE(at + 2),
      parent: tables.l.readUInt16LE(at + 6),
    };
    assert.equal(
      {
        id: tables.m.toString('latin1', at + 8, at + 8 + n),
        lba: tables.m.readUInt32BE(at + 2),
        parent: tables.m.readUInt16BE(at + 6),
      },
      row,
      `type M record ${rows.length + 1}`,
    );
    rows.push(row);
    at += 8 + n + (n % 2);
  }
  assert.is(rows[0]!.lba, tables.root, 'the root first');
  assert.is(rows.length, dirs.length + 1, 'every directory once, and the root');
  const byLba = new Map(rows.map((r, i) => [r.lba, i + 1]));
  const depth = (i: number): number => (i === 1 ? 0 : 1 + depth(rows[i - 1]!.parent));
  for (const d of dirs) {
    const number = byLba.get(d.extents[0]!.offset / 2048);
    assert.ok(number, `${d.path} is in the path table`);
    const parentPath = d.path.slice(0, d.path.lastIndexOf('/'));
    const parent = parentPath === '' ? tables.root : dirs.find((p) => p.path === parentPath)!.extents[0]!.offset / 2048;
    assert.is(rows[rows[number! - 1]!.parent - 1]!.lba, parent, `${d.path}'s parent`);
  }
  for (let i = 1; i < rows.length; i++) {
    const [a, b] = [rows[i - 1]!, rows[i]!];
    const order = depth(i) - depth(i + 1) || a.parent - b.parent || (a.id < b.id ? -1 : 1);
    assert.ok(order < 0, `record ${i + 1} (${b.id}) after record ${i} (${a.id})`);
  }
}

test('payload-session :: xorriso loads the base tree and the payload where fyr put it; osirrox reads the bytes back', async () => {
  const dir = await makeTmpdir();
  try {
    const files = [
      { isoPath: '/fyr/payload/rhcos/rhcos-live-kernel-x86_64', data: Buffer.from('kernel bytes\n'.repeat(300)) },
      { isoPath: '/fyr/payload/bin/oc', data: Buffer.from('#!/bin/sh\necho oc\n') },
      { isoPath: '/fyr/agent/fyr-agent.mjs', data: Buffer.alloc(5000, 0x61) },
    ];
    // xorriso loads /fyr with an empty directory for each of fyr's, not the payload's nodes.
    let loaded = '';
    const { image, session, baseSize } = await planned(dir, files, async (before) => {
      loaded = (await execa('xorriso', ['-indev', before, '-find', '/fyr'], { all: true })).all;
    });
    assert.equal(
      loaded.split('\n').filter((l) => l.startsWith("'")),
      ["'/fyr'", "'/fyr/added'", "'/fyr/agent'", "'/fyr/payload'"],
      loaded,
    );
    assert.ok(session.start >= baseSize && session.start % 2048 === 0);
    assert.ok(statSync(image).size > session.end, "xorriso's session after fyr's part");
    const lba = await execa('xorriso', ['-indev', image, '-find', '/', '-type', 'f', '-exec', 'report_lba', '--'], {
      all: true,
    });
    for (const [i, f] of files.entries()) {
      const line = lba.all.split('\n').find((l) => l.endsWith(`'${f.isoPath}'`));
      assert.ok(line, `${f.isoPath} in:\n${lba.all}`);
      const [, start, , size] = /File data lba:\s+\d+\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)/.exec(line)!;
      assert.is(Number(start) * 2048, session.files[i]!.extents[0]!.offset);
      assert.is(Number(size), f.data.length);
    }
    // The base's own files are still there, at their old places.
    assert.match(lba.all, /'\/isolinux\/isolinux\.bin'/);
    const baseFiles = withImage(BASE, (read) => walkIso(read)).filter((e) => !e.directory);
    const now = new Map(withImage(image, (read) => walkIso(read)).map((e) => [e.path, e]));
    // (but the boot catalog and the boot image with its boot info table, which the replay
    // writes anew).
    const moved = baseFiles.filter((e) => !isEqual(now.get(e.path)?.extents, e.extents)).map((e) => e.path);
    assert.equal(moved, ['/isolinux/boot.cat', '/isolinux/isolinux.bin']);
    for (const f of files) {
      const out = join(dir, 'x');
      await execa('osirrox', ['-indev', image, '-extract', f.isoPath, out]);
      assert.ok(readFileSync(out).equals(f.data), f.isoPath);
      await execa('rm', ['-f', out]);
    }
    // The boot record stays at sector 17; the base's Joliet descriptor is gone.
    const vds = readFileSync(image).subarray(16 * 2048, 20 * 2048);
    assert.equal([vds[0], vds[2048], vds[4096]], [1, 0, 255]);
    assert.ok(vds.readUInt32LE(80) * 2048 > session.end);
    assert.match(
      (await execa('xorriso', ['-indev', image, '-find', '/fyr/added'], { all: true })).all,
      /'\/fyr\/added'/,
    );
    // The grafted records carry their Rock Ridge link counts (2 + subdirectories), and fyr's
    // directories' ".." records point at xorriso's /fyr.
    const grafted = withImage(image, (read) => {
      const fyr = directoryEntries(read, readPrimaryVolume(read).root).find((e) => e.name === 'fyr')!;
      const records = directoryEntries(read, fyr.extent);
      const up = (name: string) => directoryEntries(read, records.find((e) => e.name === name)!.extent)[1]!.extent;
      return {
        links: records.filter((e) => e.name === 'payload' || e.name === 'agent').map((e) => [e.name, pxLinks(e.raw)]),
        up: [up('payload'), up('agent')],
        fyr: fyr.extent,
      };
    });
    assert.equal(grafted.links, [
      ['agent', 2],
      ['payload', 4],
    ]);
    assert.equal(grafted.up, [grafted.fyr, grafted.fyr]);
    assertPathTables(image);
    await assertIsoinfo(
      image,
      files.map((f) => f.isoPath),
    );
  } finally {
    await removeTmpdir(dir);
  }
});

test('payload-session :: a file over 4 GiB is laid out in whole-sector parts that xorriso reads as one file', async () => {
  const dir = await makeTmpdir();
  try {
    const size = 4 * 1024 ** 3 + 12_345;
    const { image, session } = await planned(dir, [
      { isoPath: '/fyr/payload/big.tar', size },
      { isoPath: '/fyr/payload/after', data: Buffer.from('after\n') },
    ]);
    const big = session.files[0]!;
    assert.equal(
      big.extents.map((x) => x.length),
      [MAX_EXTENT, size - MAX_EXTENT],
    );
    assert.is(big.extents[1]!.offset, big.extents[0]!.offset + MAX_EXTENT);
    assert.is(
      session.files[1]!.extents[0]!.offset,
      big.extents[1]!.offset + Math.ceil((size - MAX_EXTENT) / 2048) * 2048,
    );
    const r = await execa('xorriso', ['-indev', image, '-find', '/fyr/payload/big.tar', '-exec', 'report_lba', '--'], {
      all: true,
    });
    const parts = r.all.split('\n').filter((l) => l.includes("'/fyr/payload/big.tar'"));
    assert.is(parts.length, 2, r.all);
    assert.ok(
      parts.every((l) => l.includes(`, ${size} ,`)),
      r.all,
    );
    const ls = await execa('xorriso', ['-indev', image, '-lsl', '/fyr/payload/after'], { all: true });
    assert.match(ls.all, /-rw-r--r--/);
  } finally {
    await removeTmpdir(dir);
  }
});

test('payload-session :: a registry-sized tree: directories written in pieces through one buffer, one larger than the buffer, all where walkIso and xorriso find them', async () => {
  const dir = await makeTmpdir();
  try {
    // 700 directories of one small file (1.4 MB of directory sectors: more than one piece),
    // and one directory of 9,000 files (a directory of over 1 MiB: a piece of its own).
    const files = [
      ...Array.from({ length: 700 }, (_, i) => ({ isoPath: `/fyr/payload/blobs/d${i}/data`, size: 71 })),
      ...Array.from({ length: 9000 }, (_, i) => ({ isoPath: `/fyr/payload/wide/file-${i}`, size: 2049 })),
    ];
    const { image, session } = await planned(dir, files);
    const pieces = [...session.dirWrites].length;
    assert.ok(pieces >= 3, `two or more pieces of directories and one of its own: ${pieces}`);
    const found = new Map(withImage(image, (read) => walkIso(read)).map((e) => [e.path, e]));
    for (const [i, f] of files.entries())
      assert.equal(found.get(f.isoPath)?.extents, session.files[i]!.extents, f.isoPath);
    const count = await execa('xorriso', ['-indev', image, '-find', '/fyr/payload/wide', '-type', 'f'], { all: true });
    assert.is(count.all.split('\n').filter((l) => l.startsWith("'/fyr/payload/wide/")).length, 9000);
    assertPathTables(image);
  } finally {
    await removeTmpdir(dir);
  }
});

test('payload-session :: a file written piece by piece starts on a 4 KiB boundary, small files stay packed', () => {
  const files = [
    { isoPath: '/fyr/payload/a', size: 71, mode: 0o644 },
    { isoPath: '/fyr/payload/b', size: 71, mode: 0o644 },
    { isoPath: '/fyr/payload/big', size: 100_000, mode: 0o644 },
    { isoPath: '/fyr/payload/c', size: 71, mode: 0o644 },
  ];
  for (const shift of [0, 2048]) {
    const session = withImage(BASE, (read) => planPayloadSession(read, statSync(BASE).size + shift, files, EPOCH));
    const [a, b, big, c] = session.files.map((f) => f.extents[0]!.offset);
    assert.is(b! - a!, 2048, 'small files in consecutive sectors');
    assert.is(big! % 4096, 0, `the large file at ${big}`);
    assert.ok(big! - b! === 2048 || big! - b! === 4096);
    assert.is(c! - big!, 100_352, 'the next small file right after it');
  }
});

test("payload-session :: a base image without Rock Ridge is refused: fyr's names would not be read", async () => {
  const dir = await makeTmpdir();
  try {
    const plain = join(dir, 'plain.iso');
    writeFileSync(join(dir, 'a.txt'), 'a\n');
    await execa('xorriso', ['-outdev', plain, '-rockridge', 'off', '-map', join(dir, 'a.txt'), '/a.txt']);
    const err = (() => {
      try {
        withImage(plain, (read) =>
          planPayloadSession(read, statSync(plain).size, [{ isoPath: '/fyr/payload/x', size: 1, mode: 0o644 }], EPOCH),
        );
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(isFyrError(err) && err.code === 'BASE_ISO_INVALID', String(err));
    assert.match((err as Error).message, /no Rock Ridge/);
  } finally {
    await removeTmpdir(dir);
  }
});

test('payload-session :: a name too long for one directory record is refused', () => {
  const err = (() => {
    try {
      withImage(BASE, (read) =>
        planPayloadSession(
          read,
          statSync(BASE).size,
          [{ isoPath: `/fyr/payload/${'n'.repeat(141)}`, size: 1, mode: 0o644 }],
          EPOCH,
        ),
      );
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  assert.ok(isFyrError(err) && err.code === 'CONTENT_INVALID', String(err));
});

test.run();
