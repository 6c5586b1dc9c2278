// The payload as an ISO 9660 tree that fyr lays out itself, appended after a copy of the base
// image. xorriso then adds its own session on top (growing the image, -dev): it writes the
// edited boot files, the embed areas, new directory trees and boot equipment, and leaves the
// payload where fyr put it. The large files never pass through xorriso's 2 KiB copy loop, and
// fyr copies them with large reads and writes while the checksums are computed.
//
// What is written here is only what xorriso needs to load the tree: the base's volume
// descriptors with a new root (the base's Joliet tree is dropped; xorriso writes its own), the
// root directory (the base's records plus /fyr) and the new directories, with Rock Ridge names
// and modes. Path tables are the base's, stale but unused: xorriso replaces the whole
// superblock and every tree when it commits its session.
import { FyrError } from '../errors.js';
import { rawDirectoryRecords, SECTOR, type ReadAt } from '../iso9660/read.js';
import {
  both32,
  directoryRecord,
  DIR_MODE,
  isoName,
  MAX_EXTENT,
  nameEntry,
  packRecords,
  patchExtent,
  posixEntry,
  recordDate,
  recordId,
  terminatorDescriptor,
} from '../iso9660/records.js';
import { SMALL } from './payload-pieces.js';
import { dirSize, dirWrites, newDir, type Dir, type PlacedFile, type SessionFile } from './payload-dirs.js';

export type { PlacedFile, SessionFile } from './payload-dirs.js';

export interface PayloadSession {
  // Byte offsets: the session starts after the base image and ends at the new volume size.
  start: number;
  end: number;
  // In image order.
  files: PlacedFile[];
  // The superblock and directories to write over the copy of the base image. A piece's buffer
  // may be reused for the next: write each before taking another.
  writes: Iterable<{ offset: number; data: Buffer }>;
}

const VD_START = 16;

// The base's volume descriptors up to the terminator and its root directory's records, checked
// for what fyr's tree needs: ISO 9660, a primary descriptor, Rock Ridge announced.
function readBase(read: ReadAt): { descriptors: Buffer[]; rootSelf: Buffer; rootUp: Buffer; rootEntries: Buffer[] } {
  const descriptors: Buffer[] = [];
  for (let n = VD_START; n < VD_START + 32; n++) {
    const vd = read(n * SECTOR, SECTOR);
    if (vd.length < SECTOR || vd.toString('latin1', 1, 6) !== 'CD001')
      throw new FyrError('BASE_ISO_INVALID', `volume descriptor ${n} is not ISO 9660`);
    descriptors.push(Buffer.from(vd));
    if (vd[0] === 255) break;
  }
  const pvd = descriptors[0]!;
  if (pvd[0] !== 1) throw new FyrError('BASE_ISO_INVALID', 'no primary volume descriptor at sector 16');
  const rootExtent = { offset: pvd.readUInt32LE(158) * SECTOR, length: pvd.readUInt32LE(166) };
  const [rootSelf, rootUp, ...rootEntries] = rawDirectoryRecords(read, rootExtent).map((r) => Buffer.from(r));
  if (!rootSelf || !rootUp || recordId(rootSelf)[0] !== 0)
    throw new FyrError('BASE_ISO_INVALID', 'the root directory of the base image has no "." record');
  // fyr's records carry Rock Ridge names, which readers honour only where the root's "." record
  // announces SUSP (an SP entry first in its system use area, SUSP 5.3).
  const idLength = rootSelf[32]!;
  const systemUse = rootSelf.subarray(33 + idLength + (idLength % 2 === 0 ? 1 : 0));
  if (systemUse.toString('latin1', 0, 2) !== 'SP') {
    throw new FyrError(
      'BASE_ISO_INVALID',
      'the base image has no Rock Ridge extensions (its root directory announces no SUSP)',
      { details: ['RHEL installer ISOs have them; was this image made with genisoimage -R or xorriso?'] },
    );
  }
  return { descriptors, rootSelf, rootUp, rootEntries };
}

// The tree of new directories, all under /fyr, with every file in its directory.
function buildTree(files: readonly SessionFile[]): {
  root: Dir;
  fyr: Dir;
  placed: PlacedFile[];
  dirs: Array<{ dir: Dir; parent: Dir }>;
} {
  const root = newDir('');
  const fyr = newDir('fyr');
  root.dirs.set('fyr', fyr);
  const placed: PlacedFile[] = files.map((f) => ({ ...f, extents: [] }));
  for (const file of placed) {
    const parts = file.isoPath.split('/').filter(Boolean);
    if (parts[0] !== 'fyr' || parts.length < 2) throw new Error(`${file.isoPath} is not under /fyr`);
    for (const part of parts) {
      // Record length: 33 + name (<= 31) + pad + PX 36 + NM (5 + bytes) must stay <= 255.
      if (Buffer.byteLength(part) > 140)
        throw new FyrError('CONTENT_INVALID', `${file.isoPath}: the name "${part}" is longer than 140 bytes`);
    }
    let dir = fyr;
    for (const part of parts.slice(1, -1)) {
      let next = dir.dirs.get(part);
      if (!next) dir.dirs.set(part, (next = newDir(part)));
      dir = next;
    }
    dir.files.push({ name: parts.at(-1)!, file });
  }
  const dirs: Array<{ dir: Dir; parent: Dir }> = [];
  const collect = (dir: Dir, parent: Dir) => {
    dirs.push({ dir, parent });
    for (const sub of dir.dirs.values()) collect(sub, dir);
  };
  collect(fyr, root);
  return { root, fyr, placed, dirs };
}

// The base's root records plus /fyr, sorted as ECMA-119 wants, pointing at the new root.
function rootRecords(base: ReturnType<typeof readBase>, root: Dir, fyr: Dir, date: Buffer): Buffer[] {
  const taken = new Set(base.rootEntries.map((r) => recordId(r).toString('latin1')));
  const fyrId = isoName('fyr', true, taken);
  const record = directoryRecord({
    lba: fyr.lba,
    size: fyr.size,
    directory: true,
    id: Buffer.from(fyrId),
    systemUse: Buffer.concat([posixEntry(DIR_MODE, 2 + fyr.dirs.size), nameEntry('fyr')]),
    date,
  });
  const entries = [...base.rootEntries, record].sort((a, b) => Buffer.compare(recordId(a), recordId(b)));
  return [patchExtent(base.rootSelf, root.lba, root.size), patchExtent(base.rootUp, root.lba, root.size), ...entries];
}

// Sectors from `lba` on: the root, the new directories (their sizes depend only on names, so
// they are known first), then every file, a part per MAX_EXTENT (a large file from an even
// sector). Returns the end sector.
function placeExtents(
  tree: ReturnType<typeof buildTree>,
  base: ReturnType<typeof readBase>,
  lba: number,
  date: Buffer,
): number {
  const { root, fyr, placed, dirs } = tree;
  root.size = packRecords(rootRecords(base, root, fyr, date)).length;
  for (const { dir } of dirs) dir.size = dirSize(dir);
  root.lba = lba;
  lba += root.size / SECTOR;
  for (const { dir } of dirs) {
    dir.lba = lba;
    lba += dir.size / SECTOR;
  }
  for (const file of placed) {
    // A file written piece by piece starts on a 4 KiB boundary, a file system block: ext4 takes
    // direct writes at a 2 KiB offset down its slow unaligned path, one at a time (a 2.7 GB
    // file written at 150 MB/s instead of over 1 GB/s). The sector skipped is a hole of zeros.
    if (file.size > SMALL && lba % 2 === 1) lba += 1;
    let left = file.size;
    do {
      const length = Math.min(left, MAX_EXTENT);
      file.extents.push({ offset: lba * SECTOR, length });
      lba += Math.ceil(length / SECTOR);
      left -= length;
    } while (left > 0);
  }
  return lba;
}

// The base's descriptors with the new root and volume size: boot records kept, Joliet and other
// supplementary trees dropped (they describe the base's files only).
function descriptorSet(base: ReturnType<typeof readBase>, root: Dir, endSector: number): Buffer {
  const newPvd = Buffer.from(base.descriptors[0]!);
  both32(endSector).copy(newPvd, 80);
  patchExtent(newPvd.subarray(156, 190), root.lba, root.size).copy(newPvd, 156);
  const set = [newPvd, ...base.descriptors.slice(1).filter((vd) => vd[0] === 0), terminatorDescriptor()];
  while (set.length < base.descriptors.length) set.push(Buffer.alloc(SECTOR));
  return Buffer.concat(set);
}

// Plans the session: where every directory and file goes, and the bytes of the superblock and
// directories. `read` reads the base image; `baseSize` is its file size (the session starts at
// the next sector, after anything appended to the base's ISO 9660 volume).
export function planPayloadSession(
  read: ReadAt,
  baseSize: number,
  files: readonly SessionFile[],
  epoch: number,
): PayloadSession {
  const date = recordDate(epoch);
  const base = readBase(read);
  const tree = buildTree(files);
  const startSector = Math.ceil(baseSize / SECTOR);
  const endSector = placeExtents(tree, base, startSector, date);
  const writes = {
    *[Symbol.iterator]() {
      yield { offset: tree.root.lba * SECTOR, data: packRecords(rootRecords(base, tree.root, tree.fyr, date)) };
      yield* dirWrites(tree.dirs, date);
      yield { offset: VD_START * SECTOR, data: descriptorSet(base, tree.root, endSector) };
    },
  };
  return { start: startSector * SECTOR, end: endSector * SECTOR, files: tree.placed, writes };
}
