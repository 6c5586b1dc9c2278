// Writing ECMA-119 directory records with Rock Ridge (RRIP 1.10) entries: what fyr release
// needs to lay out its own payload tree (release/payload-session.ts). Pure byte functions.
import { SECTOR } from './read.js';

// ECMA-119 caps one extent at 4 GiB - 1; parts of a larger file are whole sectors.
export const MAX_EXTENT = 0xfffff800;
export const DIR_MODE = 0o40555;
export const FILE_TYPE = 0o100000;

export const both32 = (value: number) => {
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
  return Buffer.concat([
    Buffer.from([length, 0]),
    both32(r.lba),
    both32(r.size),
    r.date,
    Buffer.from([flags, 0, 0]),
    both16(1),
    Buffer.from([r.id.length]),
    r.id,
    Buffer.alloc(pad),
    r.systemUse,
  ]);
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
