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
// base's) and NM. The write* forms put them straight into a directory's buffer: a release's
// tree has tens of thousands of records, and a small buffer for each cost 0.2 s in allocation
// and garbage collection. They write into zeros (Buffer.alloc), and write only what is not zero:
// Buffer.fill over a few bytes costs more than the record.
export const PX_LENGTH = 36;
export const nameEntryLength = (name: string) => 5 + (ASCII.test(name) ? name.length : Buffer.byteLength(name, 'utf8'));

export function writePosixEntry(b: Buffer, at: number, mode: number, links: number): number {
  b[at] = 0x50;
  b[at + 1] = 0x58;
  b[at + 2] = PX_LENGTH;
  b[at + 3] = 1;
  writeBoth32(b, mode, at + 4);
  writeBoth32(b, links, at + 12);
  return at + PX_LENGTH;
}
export function writeNameEntry(b: Buffer, at: number, name: string): number {
  const length = 5 + (ASCII.test(name) ? writeAscii(b, at + 5, name) : b.write(name, at + 5, 'utf8'));
  b[at] = 0x4e;
  b[at + 1] = 0x4d;
  b[at + 2] = length;
  b[at + 3] = 1;
  b[at + 4] = 0;
  return at + length;
}
const ASCII = /^[\x00-\x7f]*$/;
function writeAscii(b: Buffer, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) b[at + i] = text.charCodeAt(i);
  return text.length;
}
export function posixEntry(mode: number, links: number): Buffer {
  const b = Buffer.alloc(PX_LENGTH);
  writePosixEntry(b, 0, mode, links);
  return b;
}
export function nameEntry(name: string): Buffer {
  const b = Buffer.allocUnsafe(nameEntryLength(name));
  writeNameEntry(b, 0, name);
  return b;
}

export interface RecordFields {
  lba: number;
  size: number;
  directory: boolean;
  // Not the last record of a multi-extent file.
  more?: boolean;
  date: Buffer;
  // Raw identifier: [0] for ".", [1] for "..", else the ISO name.
  id: Buffer;
  systemUse: Buffer;
}

// A record's length: 33 fixed bytes, the identifier padded to an even length, system use.
export const recordLength = (idLength: number, systemUseLength: number) =>
  33 + idLength + (idLength % 2 === 0 ? 1 : 0) + systemUseLength;

// Writes a record of `length` bytes up to its system use at `at` (zeros there); returns where
// the system use goes. `flags` as ECMA-119 has them (2: directory, 0x80: more extents follow);
// `id` is an ISO name (ASCII) or a raw identifier. Byte loops rather than Buffer.write and
// copy, which cost a call into C++ each: the payload tree has tens of thousands of records.
export function writeRecord(
  b: Buffer,
  at: number,
  length: number,
  lba: number,
  size: number,
  flags: number,
  date: Buffer,
  id: string | Buffer,
): number {
  if (length > 255) throw new Error(`directory record of ${length} bytes`);
  const idLength = id.length;
  b[at] = length;
  writeBoth32(b, lba, at + 2);
  writeBoth32(b, size, at + 10);
  for (let i = 0; i < 7; i++) b[at + 18 + i] = date[i]!;
  b[at + 25] = flags;
  // Volume sequence number 1, both byte orders.
  b[at + 28] = 1;
  b[at + 31] = 1;
  b[at + 32] = idLength;
  if (typeof id === 'string') for (let i = 0; i < idLength; i++) b[at + 33 + i] = id.charCodeAt(i);
  else for (let i = 0; i < idLength; i++) b[at + 33 + i] = id[i]!;
  return at + 33 + idLength + (idLength % 2 === 0 ? 1 : 0);
}

export function directoryRecord(r: RecordFields): Buffer {
  const length = recordLength(r.id.length, r.systemUse.length);
  const b = Buffer.alloc(length);
  const flags = (r.directory ? 2 : 0) | (r.more ? 0x80 : 0);
  r.systemUse.copy(b, writeRecord(b, 0, length, r.lba, r.size, flags, r.date, r.id));
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

// A copy of a record with its Rock Ridge PX link count set (unchanged without a PX entry).
export function patchLinks(record: Buffer, links: number): Buffer {
  const out = Buffer.from(record);
  const idLength = out[32]!;
  let at = 33 + idLength + (idLength % 2 === 0 ? 1 : 0);
  while (at + 4 <= out.length && out[at + 2]! >= 4) {
    if (out[at] === 0x50 && out[at + 1] === 0x58 && out[at + 2]! >= 20) {
      writeBoth32(out, links, at + 12);
      break;
    }
    at += out[at + 2]!;
  }
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
