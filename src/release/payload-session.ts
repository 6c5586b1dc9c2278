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
import { rawDirectoryRecords, SECTOR, type Extent, type ReadAt } from '../iso9660/read.js';

export interface SessionFile {
  // Absolute ISO path, under /fyr.
  isoPath: string;
  size: number;
  // Permission bits, kept from the disk file.
  mode: number;
}

export interface PlacedFile extends SessionFile {
  extents: Extent[];
}

export interface PayloadSession {
  // Byte offsets: the session starts after the base image and ends at the new volume size.
  start: number;
  end: number;
  // In image order.
  files: PlacedFile[];
  // The superblock and directories to write over the copy of the base image.
  writes: Array<{ offset: number; data: Buffer }>;
}

// ECMA-119 caps one extent at 4 GiB - 1; parts of a larger file are whole sectors.
export const MAX_EXTENT = 0xfffff800;
const VD_START = 16;
const DIR_MODE = 0o40555;
const FILE_TYPE = 0o100000;

const both32 = (value: number) => {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(value, 0);
  b.writeUInt32BE(value, 4);
  return b;
};
const both16 = (value: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt16LE(value, 0);
  b.writeUInt16BE(value, 2);
  return b;
};

// The 7-byte recording date of a directory record, in UTC.
export function recordDate(epoch: number): Buffer {
  const d = new Date(epoch * 1000);
  return Buffer.from([d.getUTCFullYear() - 1900, d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), 0]);
}

// Rock Ridge PX (RRIP 1.10 form, without a serial number, so no inode can collide with the
// base's) and NM.
export function posixEntry(mode: number, links: number): Buffer {
  return Buffer.concat([Buffer.from([0x50, 0x58, 36, 1]), both32(mode), both32(links), both32(0), both32(0)]);
}
export function nameEntry(name: string): Buffer {
  const bytes = Buffer.from(name, 'utf8');
  return Buffer.concat([Buffer.from([0x4e, 0x4d, 5 + bytes.length, 1, 0]), bytes]);
}

export interface RecordFields {
  lba: number;
  size: number;
  directory: boolean;
  // Not the last record of a multi-extent file.
  more?: boolean;
  // Raw identifier: [0] for ".", [1] for "..", else the ISO name.
  id: Buffer;
  systemUse: Buffer;
  date: Buffer;
}

export function directoryRecord(r: RecordFields): Buffer {
  const pad = r.id.length % 2 === 0 ? 1 : 0;
  const length = 33 + r.id.length + pad + r.systemUse.length;
  if (length > 255) throw new Error(`directory record of ${length} bytes`);
  const flags = (r.directory ? 2 : 0) | (r.more ? 0x80 : 0);
  return Buffer.concat([Buffer.from([length, 0]), both32(r.lba), both32(r.size), r.date, Buffer.from([flags, 0, 0]), both16(1), Buffer.from([r.id.length]), r.id, Buffer.alloc(pad), r.systemUse]);
}

// A d-character name for the ISO 9660 level; Rock Ridge NM carries the real one.
export function isoName(name: string, directory: boolean, taken: Set<string>): string {
  const upper = name.toUpperCase();
  let stem = upper;
  let ext = '';
  if (!directory) {
    const dot = upper.lastIndexOf('.');
    if (dot > 0) {
      stem = upper.slice(0, dot);
      ext = upper.slice(dot + 1);
    }
  }
  const clean = (s: string) => s.replace(/[^A-Z0-9_]/g, '_');
  ext = clean(ext).slice(0, 8);
  const limit = (directory ? 31 : 30) - (ext ? ext.length + 1 : 0);
  stem = clean(stem).slice(0, limit) || '_';
  const compose = (s: string) => (directory ? s : `${s}${ext ? `.${ext}` : '.'};1`);
  let candidate = compose(stem);
  for (let n = 1; taken.has(candidate); n++) {
    const suffix = `_${n}`;
    candidate = compose(stem.slice(0, limit - suffix.length) + suffix);
  }
  taken.add(candidate);
  return candidate;
}

// Lays directory records into sectors (a record never crosses a sector boundary).
export function packRecords(records: readonly Buffer[]): Buffer {
  const sectors: Buffer[] = [];
  let current: Buffer[] = [];
  let used = 0;
  for (const r of records) {
    if (used + r.length > SECTOR) {
      sectors.push(Buffer.concat([...current, Buffer.alloc(SECTOR - used)]));
      current = [];
      used = 0;
    }
    current.push(r);
    used += r.length;
  }
  sectors.push(Buffer.concat([...current, Buffer.alloc(SECTOR - used)]));
  return Buffer.concat(sectors);
}

interface Dir {
  name: string;
  dirs: Map<string, Dir>;
  files: Array<{ name: string; file: PlacedFile }>;
  lba: number;
  size: number;
}

const newDir = (name: string): Dir => ({ name, dirs: new Map(), files: [], lba: 0, size: 0 });

const recordId = (record: Buffer) => record.subarray(33, 33 + record[32]!);

function patchExtent(record: Buffer, lba: number, size: number): Buffer {
  const out = Buffer.from(record);
  both32(lba).copy(out, 2);
  both32(size).copy(out, 10);
  return out;
}

// Records of one new directory, given the extents already assigned.
function dirRecords(dir: Dir, parent: Dir, date: Buffer): Buffer[] {
  const links = 2 + dir.dirs.size;
  const self = directoryRecord({ lba: dir.lba, size: dir.size, directory: true, id: Buffer.from([0]), systemUse: posixEntry(DIR_MODE, links), date });
  const up = directoryRecord({ lba: parent.lba, size: parent.size, directory: true, id: Buffer.from([1]), systemUse: posixEntry(DIR_MODE, 2 + parent.dirs.size), date });
  const taken = new Set<string>();
  const entries: Array<{ id: string; records: Buffer[] }> = [];
  for (const sub of dir.dirs.values()) {
    const id = isoName(sub.name, true, taken);
    entries.push({ id, records: [directoryRecord({ lba: sub.lba, size: sub.size, directory: true, id: Buffer.from(id), systemUse: Buffer.concat([posixEntry(DIR_MODE, 2 + sub.dirs.size), nameEntry(sub.name)]), date })] });
  }
  for (const { name, file } of dir.files) {
    const id = isoName(name, false, taken);
    const su = Buffer.concat([posixEntry(FILE_TYPE | (file.mode & 0o777), 1), nameEntry(name)]);
    const records = file.extents.map((x, i) => directoryRecord({ lba: x.offset / SECTOR, size: x.length, directory: false, more: i < file.extents.length - 1, id: Buffer.from(id), systemUse: su, date }));
    entries.push({ id, records });
  }
  entries.sort((a, b) => Buffer.compare(Buffer.from(a.id), Buffer.from(b.id)));
  return [self, up, ...entries.flatMap((e) => e.records)];
}

// Plans the session: where every directory and file goes, and the bytes of the superblock and
// directories. `read` reads the base image; `baseSize` is its file size (the session starts at
// the next sector, after anything appended to the base's ISO 9660 volume).
export function planPayloadSession(read: ReadAt, baseSize: number, files: readonly SessionFile[], epoch: number): PayloadSession {
  const date = recordDate(epoch);
  const descriptors: Buffer[] = [];
  for (let n = VD_START; n < VD_START + 32; n++) {
    const vd = read(n * SECTOR, SECTOR);
    if (vd.length < SECTOR || vd.toString('latin1', 1, 6) !== 'CD001') throw new FyrError('BASE_ISO_INVALID', `volume descriptor ${n} is not ISO 9660`);
    descriptors.push(Buffer.from(vd));
    if (vd[0] === 255) break;
  }
  const pvd = descriptors[0]!;
  if (pvd[0] !== 1) throw new FyrError('BASE_ISO_INVALID', 'no primary volume descriptor at sector 16');
  const rootExtent = { offset: pvd.readUInt32LE(158) * SECTOR, length: pvd.readUInt32LE(166) };
  const baseRoot = rawDirectoryRecords(read, rootExtent).map((r) => Buffer.from(r));
  const [rootSelf, rootUp, ...rootEntries] = baseRoot;
  if (!rootSelf || !rootUp || recordId(rootSelf)[0] !== 0) throw new FyrError('BASE_ISO_INVALID', 'the root directory of the base image has no "." record');
  // fyr's records carry Rock Ridge names, which readers honour only where the root's "." record
  // announces SUSP (an SP entry first in its system use area, SUSP 5.3).
  const idLength = rootSelf[32]!;
  const systemUse = rootSelf.subarray(33 + idLength + (idLength % 2 === 0 ? 1 : 0));
  if (systemUse.toString('latin1', 0, 2) !== 'SP') {
    throw new FyrError('BASE_ISO_INVALID', 'the base image has no Rock Ridge extensions (its root directory announces no SUSP)', { details: ['RHEL installer ISOs have them; was this image made with genisoimage -R or xorriso?'] });
  }

  // The tree of new directories, all under /fyr.
  const root = newDir('');
  const fyr = newDir('fyr');
  root.dirs.set('fyr', fyr);
  const placed: PlacedFile[] = files.map((f) => ({ ...f, extents: [] }));
  for (const file of placed) {
    const parts = file.isoPath.split('/').filter(Boolean);
    if (parts[0] !== 'fyr' || parts.length < 2) throw new Error(`${file.isoPath} is not under /fyr`);
    for (const part of parts) {
      // Record length: 33 + name (<= 31) + pad + PX 36 + NM (5 + bytes) must stay <= 255.
      if (Buffer.byteLength(part) > 140) throw new FyrError('CONTENT_INVALID', `${file.isoPath}: the name "${part}" is longer than 140 bytes`);
    }
    let dir = fyr;
    for (const part of parts.slice(1, -1)) {
      let next = dir.dirs.get(part);
      if (!next) dir.dirs.set(part, (next = newDir(part)));
      dir = next;
    }
    dir.files.push({ name: parts.at(-1)!, file });
  }

  // Directory sizes depend only on names, so they are known before any extent is placed.
  const all: Array<{ dir: Dir; parent: Dir }> = [];
  const collect = (dir: Dir, parent: Dir) => {
    all.push({ dir, parent });
    for (const sub of dir.dirs.values()) collect(sub, dir);
  };
  collect(fyr, root);
  let lba = Math.ceil(baseSize / SECTOR);
  const start = lba * SECTOR;
  const rootRecords = () => {
    const taken = new Set(rootEntries.map((r) => recordId(r).toString('latin1')));
    const fyrId = isoName('fyr', true, taken);
    const record = directoryRecord({ lba: fyr.lba, size: fyr.size, directory: true, id: Buffer.from(fyrId), systemUse: Buffer.concat([posixEntry(DIR_MODE, 2 + fyr.dirs.size), nameEntry('fyr')]), date });
    const entries = [...rootEntries, record].sort((a, b) => Buffer.compare(recordId(a), recordId(b)));
    return [patchExtent(rootSelf, root.lba, root.size), patchExtent(rootUp, root.lba, root.size), ...entries];
  };
  root.size = packRecords(rootRecords()).length;
  for (const { dir, parent } of all) dir.size = packRecords(dirRecords(dir, parent, date)).length;
  root.lba = lba;
  lba += root.size / SECTOR;
  for (const { dir } of all) {
    dir.lba = lba;
    lba += dir.size / SECTOR;
  }
  for (const file of placed) {
    let left = file.size;
    do {
      const length = Math.min(left, MAX_EXTENT);
      file.extents.push({ offset: lba * SECTOR, length });
      lba += Math.ceil(length / SECTOR);
      left -= length;
    } while (left > 0);
  }
  const end = lba * SECTOR;

  const writes: PayloadSession['writes'] = [{ offset: root.lba * SECTOR, data: packRecords(rootRecords()) }];
  for (const { dir, parent } of all) writes.push({ offset: dir.lba * SECTOR, data: packRecords(dirRecords(dir, parent, date)) });
  // The base's descriptors with the new root and volume size; boot records kept, Joliet and
  // other supplementary trees dropped (they describe the base's files only).
  const newPvd = Buffer.from(pvd);
  both32(end / SECTOR).copy(newPvd, 80);
  patchExtent(newPvd.subarray(156, 190), root.lba, root.size).copy(newPvd, 156);
  const kept = [newPvd, ...descriptors.slice(1).filter((vd) => vd[0] === 0)];
  const terminator = Buffer.alloc(SECTOR);
  terminator[0] = 255;
  terminator.write('CD001', 1, 'latin1');
  terminator[6] = 1;
  const set = [...kept, terminator];
  while (set.length < descriptors.length) set.push(Buffer.alloc(SECTOR));
  writes.push({ offset: VD_START * SECTOR, data: Buffer.concat(set) });
  return { start, end, files: placed, writes };
}
