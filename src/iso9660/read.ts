// Just enough ECMA-119 (with Rock Ridge names) to find where a file's bytes sit in an image:
// the embed areas and release.json are patched in place, which must not need xorriso's start-up
// or a mount. Reads through a callback so the same code serves files and block devices.

export const SECTOR = 2048;
// The primary volume descriptor's place: sector 16, after the system area.
export const PVD_OFFSET = 16 * SECTOR;

export type ReadAt = (position: number, length: number) => Buffer;

// The most of a directory's records fyr reads at once; a real one is kilobytes.
export const MAX_DIRECTORY_BYTES = 64 << 20;

// An image whose structures are not well formed: a record too short or running past its
// sector, an extent past the image, a directory too large or looping. Readers turn it into
// their own "not a usable ISO" error.
export class IsoFormatError extends Error {}
IsoFormatError.prototype.name = 'IsoFormatError';

export interface PrimaryVolume {
  volumeId: string;
  volumeBytes: number;
  // "YYYYMMDDHHMMSScc" as recorded, or '' when unset.
  created: string;
  root: Extent;
}

export interface Extent {
  // Byte offset in the image.
  offset: number;
  length: number;
}

export interface IsoEntry {
  path: string;
  directory: boolean;
  // More than one when a file over 4 GiB is recorded as a multi-extent file.
  extents: Extent[];
}

export function readPrimaryVolume(read: ReadAt): PrimaryVolume {
  const pvd = read(PVD_OFFSET, SECTOR);
  if (pvd.length < SECTOR || pvd.toString('latin1', 1, 6) !== 'CD001' || pvd[0] !== 1)
    throw new Error('not an ISO 9660 image (no primary volume descriptor at sector 16)');
  const root = record(pvd, 156, 190);
  const volumeBytes = pvd.readUInt32LE(80) * SECTOR;
  checkExtent(root.extent, volumeBytes, 'the root directory');
  return {
    volumeId: pvd.toString('latin1', 40, 72).trimEnd(),
    volumeBytes,
    created: pvd.toString('latin1', 813, 829).replace(/^0+$/, ''),
    root: root.extent,
  };
}

interface DirRecord {
  length: number;
  extent: Extent;
  directory: boolean;
  more: boolean;
  name: string;
}

// An extent must lie inside the volume (a file's bytes, a directory's records).
export function checkExtent(extent: Extent, volumeBytes: number, what: string): void {
  if (extent.offset + extent.length > volumeBytes)
    throw new IsoFormatError(`${what} (${extent.length} bytes at ${extent.offset}) extends past the volume's end`);
}

// `end`: where the record's sector (or buffer) ends; a record may not run past it.
function record(buf: Buffer, at: number, end = buf.length): DirRecord {
  const length = buf[at]!;
  const nameLength = buf[at + 32] ?? 0;
  if (length < 34 || at + length > Math.min(end, buf.length) || 33 + nameLength > length)
    throw new IsoFormatError(`a directory record at byte ${at} of its directory is malformed (length ${length})`);
  const flags = buf[at + 25]!;
  const rawName = buf.subarray(at + 33, at + 33 + nameLength);
  let name =
    rawName.length === 1 && rawName[0]! <= 1
      ? rawName[0] === 0
        ? '.'
        : '..'
      : rawName.toString('latin1').replace(/;\d+$/, '').replace(/\.$/, '').toLowerCase();
  // Rock Ridge NM entries in the system-use area carry the real name.
  let su = at + 33 + nameLength + (nameLength % 2 === 0 ? 1 : 0);
  let rr = '';
  while (su + 4 <= at + length) {
    const sig = buf.toString('latin1', su, su + 2);
    const len = buf[su + 2]!;
    if (len < 4) break;
    if (sig === 'NM') rr += buf.toString('utf8', su + 5, Math.min(su + len, at + length));
    su += len;
  }
  if (rr !== '') name = rr;
  return {
    length,
    extent: { offset: buf.readUInt32LE(at + 2) * SECTOR, length: buf.readUInt32LE(at + 10) },
    directory: (flags & 2) !== 0,
    more: (flags & 0x80) !== 0,
    name,
  };
}

// The raw records of a directory extent, "." and ".." first, as they lie.
export function rawDirectoryRecords(read: ReadAt, dir: Extent): Buffer[] {
  return directoryEntries(read, dir).map((e) => e.raw);
}

export interface RawEntry {
  // Where the record lies in the image, its bytes, and what they say.
  at: number;
  raw: Buffer;
  name: string;
  directory: boolean;
  extent: Extent;
}

// A directory's records with where each lies: for patching one in place.
export function directoryEntries(read: ReadAt, dir: Extent): RawEntry[] {
  if (dir.length > MAX_DIRECTORY_BYTES)
    throw new IsoFormatError(`a directory of ${dir.length} bytes at ${dir.offset} is larger than any real one`);
  const data = read(dir.offset, dir.length);
  if (data.length < dir.length)
    throw new IsoFormatError(`a directory (${dir.length} bytes at ${dir.offset}) extends past the image's end`);
  const entries: RawEntry[] = [];
  let at = 0;
  while (at < data.length) {
    const length = data[at]!;
    if (length === 0) {
      // Records never cross a sector boundary: the rest of this sector is padding.
      at = (Math.floor(at / SECTOR) + 1) * SECTOR;
      continue;
    }
    const sectorEnd = (Math.floor(at / SECTOR) + 1) * SECTOR;
    const r = record(data, at, sectorEnd);
    entries.push({
      at: dir.offset + at,
      raw: data.subarray(at, at + length),
      name: r.name,
      directory: r.directory,
      extent: r.extent,
    });
    at += length;
  }
  return entries;
}

function readDirectory(read: ReadAt, dir: Extent): DirRecord[] {
  const records = rawDirectoryRecords(read, dir).map((r) => record(r, 0));
  if (records.length === 0 || records[0]!.name !== '.')
    throw new IsoFormatError(`the directory at ${dir.offset} does not start with its "." record`);
  // A subdirectory pointing at its own extent (or the root's) would be walked for ever.
  for (const r of records)
    if (r.directory && r.name !== '.' && r.name !== '..' && r.extent.offset === dir.offset)
      throw new IsoFormatError(`the directory at ${dir.offset} contains itself`);
  return records.filter((r) => r.name !== '.' && r.name !== '..');
}

// Every file and directory, depth first, in directory order.
export function walkIso(read: ReadAt, volume: PrimaryVolume = readPrimaryVolume(read)): IsoEntry[] {
  const out: IsoEntry[] = [];
  // Each directory once: one recorded twice (or pointing at an ancestor) would be walked for ever.
  const seen = new Set<number>();
  const visit = (dir: Extent, prefix: string, depth: number) => {
    if (seen.has(dir.offset)) throw new IsoFormatError(`${prefix || '/'}: its directory is recorded twice (a loop?)`);
    seen.add(dir.offset);
    if (depth > 64)
      throw new IsoFormatError(
        'the directory tree is more than 64 levels deep (a directory that points at its ancestor?)',
      );
    let previous: { entry: IsoEntry; more: boolean } | undefined;
    for (const rec of readDirectory(read, dir)) {
      const path = `${prefix}/${rec.name}`;
      if (previous?.more && previous.entry.path === path) {
        previous.entry.extents.push(rec.extent);
        previous.more = rec.more;
        continue;
      }
      const entry: IsoEntry = { path, directory: rec.directory, extents: [rec.extent] };
      out.push(entry);
      if (rec.directory) visit(rec.extent, path, depth + 1);
      previous = { entry, more: rec.more };
    }
  };
  visit(volume.root, '', 0);
  return out;
}

export function findInIso(read: ReadAt, path: string, volume?: PrimaryVolume): IsoEntry | undefined {
  const parts = path.split('/').filter(Boolean);
  let dir = (volume ?? readPrimaryVolume(read)).root;
  for (let i = 0; i < parts.length; i++) {
    const records = readDirectory(read, dir).filter((r) => r.name === parts[i]);
    if (records.length === 0) return undefined;
    const last = i === parts.length - 1;
    if (!last) {
      if (!records[0]!.directory) return undefined;
      dir = records[0]!.extent;
      continue;
    }
    return { path: `/${parts.join('/')}`, directory: records[0]!.directory, extents: records.map((r) => r.extent) };
  }
  return undefined;
}
