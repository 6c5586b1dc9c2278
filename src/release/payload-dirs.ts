// The new directories of fyr's payload tree (payload-session.ts) as bytes: each child named
// once, each directory's size known before any extent is, and the records written straight
// into the sectors they go to.
import { FyrError } from '../errors.js';
import type { PathNode } from '../iso9660/path-table.js';
import { SECTOR, type Extent } from '../iso9660/read.js';
import {
  DIR_MODE,
  FILE_TYPE,
  isoName,
  MAX_EXTENT,
  nameEntryLength,
  PX_LENGTH,
  recordLength,
  writeNameEntry,
  writePosixEntry,
  writeRecord,
} from '../iso9660/records.js';

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

export interface Dir {
  name: string;
  dirs: Map<string, Dir>;
  files: Array<{ name: string; file: PlacedFile }>;
  lba: number;
  size: number;
  // Its children with their names and record lengths, in record order (named once, see entriesOf).
  entries?: Entry[];
  // Its subdirectories' entries (named once, with entries).
  subdirs?: Array<{ id: string; dir: Dir }>;
}

interface Entry {
  // ISO name (ASCII), the real name (Rock Ridge NM), and the record's length.
  id: string;
  name: string;
  length: number;
  dir?: Dir;
  file?: PlacedFile;
}

// Record length: 33 + name (<= 31) + pad + PX 36 + NM (5 + bytes) must stay <= 255.
// (46 UTF-16 units are at most 138 bytes of UTF-8.)
export function checkedName(part: string, isoPath: string): string {
  if (part === '') throw new Error(`${isoPath} has an empty name in it`);
  if (part.length > 46 && Buffer.byteLength(part) > 140)
    throw new FyrError('CONTENT_INVALID', `${isoPath}: the name "${part}" is longer than 140 bytes`);
  return part;
}

export const newDir = (name: string): Dir => ({ name, dirs: new Map(), files: [], lba: 0, size: 0 });

// The children of a directory as ECMA-119 orders them, each with its names; these fix the
// directory's size before any extent is known.
function entriesOf(dir: Dir): Entry[] {
  if (dir.entries) return dir.entries;
  const taken = new Set<string>();
  const named: Entry[] = [];
  for (const sub of dir.dirs.values()) {
    const id = isoName(sub.name, true, taken);
    named.push({ id, name: sub.name, length: recordLength(id.length, suLength(sub.name)), dir: sub });
  }
  for (const { name, file } of dir.files) {
    const id = isoName(name, false, taken);
    named.push({ id, name, length: recordLength(id.length, suLength(name)), file });
  }
  // ISO names are ASCII: string order is byte order.
  if (named.length > 1) named.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return (dir.entries = named);
}

// A directory's subdirectories with their ISO names.
export function subdirIds(dir: Dir): Array<{ id: string; dir: Dir }> {
  if (dir.subdirs) return dir.subdirs;
  const subdirs: Array<{ id: string; dir: Dir }> = [];
  if (dir.dirs.size > 0) for (const e of entriesOf(dir)) if (e.dir) subdirs.push({ id: e.id, dir: e.dir });
  return (dir.subdirs = subdirs);
}

// The directory and those below it as path table nodes (once placed), each named as its
// parent's record names it; `id` names this one.
export function pathNode(dir: Dir, id: Buffer = Buffer.from([0])): PathNode {
  return { id, lba: dir.lba, children: subdirIds(dir).map((s) => pathNode(s.dir, Buffer.from(s.id, 'latin1'))) };
}

// Every record's system use: PX, then NM for a named child ("." and ".." have none).
const suLength = (name?: string) => PX_LENGTH + (name === undefined ? 0 : nameEntryLength(name));
const DOT_LENGTH = recordLength(1, suLength());
// Every directory's "." and "..".
export const DOT_RECORDS = 2 * DOT_LENGTH;

// The longest record a child named `name` can have, whatever ISO name it gets: isoName's are
// at most 33 characters (a file's: 30 with its extension, ".", ";1").
export const maxRecordLength = (name: string) => recordLength(33, suLength(name));

// A directory's size from its entries: "." and "..", then a record per extent of each child.
export function dirSize(dir: Dir): number {
  // packedSize's rule, inline: a record never crosses a sector boundary.
  let sectors = 1;
  let used = DOT_RECORDS;
  for (const e of entriesOf(dir)) {
    const records = e.file ? Math.max(1, Math.ceil(e.file.size / MAX_EXTENT)) : 1;
    for (let i = 0; i < records; i++) {
      if (used + e.length > SECTOR) {
        sectors += 1;
        used = 0;
      }
      used += e.length;
    }
  }
  return sectors * SECTOR;
}

// Writes one new directory's records at `at` in `out` (zeros there), given the extents already
// assigned; records are packed into sectors as packedSize counts them.
function writeDir(out: Buffer, at: number, dir: Dir, parent: Dir, date: Buffer): void {
  let sector = at;
  let used = 0;
  const put = (
    length: number,
    lba: number,
    size: number,
    flags: number,
    id: string | Buffer,
    mode: number,
    links: number,
    name?: string,
  ) => {
    if (used + length > SECTOR) {
      sector += SECTOR;
      used = 0;
    }
    const su = writeRecord(out, sector + used, length, lba, size, flags, date, id);
    const nm = writePosixEntry(out, su, mode, links);
    if (name !== undefined) writeNameEntry(out, nm, name);
    used += length;
  };
  put(DOT_LENGTH, dir.lba, dir.size, DIRECTORY, DOT, DIR_MODE, 2 + dir.dirs.size);
  put(DOT_LENGTH, parent.lba, parent.size, DIRECTORY, DOTDOT, DIR_MODE, 2 + parent.dirs.size);
  for (const { id, name, length, dir: sub, file } of entriesOf(dir)) {
    if (sub) put(length, sub.lba, sub.size, DIRECTORY, id, DIR_MODE, 2 + sub.dirs.size, name);
    else {
      const extents = file!.extents;
      const mode = FILE_TYPE | (file!.mode & 0o777);
      for (let i = 0; i < extents.length; i++) {
        const x = extents[i]!;
        put(length, x.offset / SECTOR, x.length, i < extents.length - 1 ? MORE : 0, id, mode, 1, name);
      }
    }
  }
}
// ECMA-119 9.1.6 file flags.
const DIRECTORY = 2;
const MORE = 0x80;
const DOT = Buffer.from([0]);
const DOTDOT = Buffer.from([1]);

// The new directories, which lie one after another, in pieces of up to a MiB written through one
// buffer: a registry tree's 10,000 directories are 20 MB of sectors, and faulting in that much
// fresh memory took 60 ms here, more than writing it.
export function* dirWrites(dirs: ReadonlyArray<{ dir: Dir; parent: Dir }>, date: Buffer) {
  const chunk = Buffer.alloc(1 << 20);
  let from = 0;
  let used = 0;
  for (const { dir, parent } of dirs) {
    if (used > 0 && used + dir.size > chunk.length) {
      yield { offset: from, data: chunk.subarray(0, used) };
      chunk.fill(0, 0, used);
      used = 0;
    }
    // A directory larger than the buffer gets its own.
    if (dir.size > chunk.length) {
      const own = Buffer.alloc(dir.size);
      writeDir(own, 0, dir, parent, date);
      yield { offset: dir.lba * SECTOR, data: own };
      continue;
    }
    if (used === 0) from = dir.lba * SECTOR;
    writeDir(chunk, used, dir, parent, date);
    used += dir.size;
  }
  if (used > 0) yield { offset: from, data: chunk.subarray(0, used) };
}
