// Writing ECMA-119 directory records with Rock Ridge (RRIP 1.10) entries: what fyr release
// needs to lay out its own payload tree (release/payload-session.ts). Pure byte functions.
import { SECTOR } from './read.js';

// ECMA-119 caps one extent at 4 GiB - 1; parts of a larger file are whole sectors.
export const MAX_EXTENT = 0xfffff800;
export const DIR_MODE = 0o40555;
export const FILE_TYPE = 0o100000;

export const both32 = (value: number) => {
  const b = Buffer.alloc(8);
  writeBoth32(b, value, 0);
  return b;
};
const writeBoth32 = (b: Buffer, value: number, at: number) => {
  b.writeUInt32LE(value, at);
  b.writeUInt32BE(value, at + 4);
};

// The 7-byte recording date of a directory record, in UTC.
export function recordDate(epoch: number): Buffer {
  const d = new Date(epoch * 1000);
  return Buffer.from([
    d.getUTCFullYear() - 1900,
    d.getUTCMonth() + 1,
    d.getUTCDate(),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    0,
  ]);
}

// Rock Ridge PX (RRIP 1.10 form, without a serial number, so no inode can collide with the
// base's) and NM.
// Each built in one buffer from node's pool (small Buffer.alloc calls are slow, and a release's
// tree has tens of thousands of records), zeroed where not written.
export function posixEntry(mode: number, links: number): Buffer {
  const b = Buffer.allocUnsafe(36).fill(0);
  b.set([0x50, 0x58, 36, 1]);
  writeBoth32(b, mode, 4);
  writeBoth32(b, links, 12);
  return b;
}
export function nameEntry(name: string): Buffer {
  const length = Buffer.byteLength(name, 'utf8');
  const b = Buffer.allocUnsafe(5 + length);
  b.set([0x4e, 0x4d, 5 + length, 1, 0]);
  b.write(name, 5, 'utf8');
  return b;
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

// A record's length: 33 fixed bytes, the identifier padded to an even length, system use.
export const recordLength = (idLength: number, systemUseLength: number) =>
  33 + idLength + (idLength % 2 === 0 ? 1 : 0) + systemUseLength;

export function directoryRecord(r: RecordFields): Buffer {
  const length = recordLength(r.id.length, r.systemUse.length);
  if (length > 255) throw new Error(`directory record of ${length} bytes`);
  const b = Buffer.allocUnsafe(length).fill(0);
  b[0] = length;
  writeBoth32(b, r.lba, 2);
  writeBoth32(b, r.size, 10);
  r.date.copy(b, 18);
  b[25] = (r.directory ? 2 : 0) | (r.more ? 0x80 : 0);
  // Volume sequence number 1, both byte orders.
  b.writeUInt16LE(1, 28);
  b.writeUInt16BE(1, 30);
  b[32] = r.id.length;
  r.id.copy(b, 33);
  r.systemUse.copy(b, length - r.systemUse.length);
  return b;
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

// The size of records laid into sectors (a record never crosses a sector boundary).
export function packedSize(lengths: Iterable<number>): number {
  let sectors = 1;
  let used = 0;
  for (const length of lengths) {
    if (used + length > SECTOR) {
      sectors += 1;
      used = 0;
    }
    used += length;
  }
  return sectors * SECTOR;
}

// Lays directory records into sectors (a record never crosses a sector boundary).
export function packRecords(records: readonly Buffer[]): Buffer {
  const out = Buffer.alloc(packedSize(records.map((r) => r.length)));
  let sector = 0;
  let used = 0;
  for (const r of records) {
    if (used + r.length > SECTOR) {
      sector += SECTOR;
      used = 0;
    }
    r.copy(out, sector + used);
    used += r.length;
  }
  return out;
}

// A record's raw identifier.
export const recordId = (record: Buffer) => record.subarray(33, 33 + record[32]!);

// A copy of a record pointing at another extent.
export function patchExtent(record: Buffer, lba: number, size: number): Buffer {
  const out = Buffer.from(record);
  both32(lba).copy(out, 2);
  both32(size).copy(out, 10);
  return out;
}

// The volume descriptor set terminator (ECMA-119 8.3).
export function terminatorDescriptor(): Buffer {
  const terminator = Buffer.alloc(SECTOR);
  terminator[0] = 255;
  terminator.write('CD001', 1, 'latin1');
  terminator[6] = 1;
  return terminator;
}
