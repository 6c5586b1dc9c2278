// The payload as an ISO 9660 tree that fyr lays out itself, after a copy of the base image,
// grafted into the tree xorriso's session writes. The large files never pass through xorriso's
// 2 KiB copy loop, and xorriso never loads the payload's tens of thousands of nodes: it loads the
// base's tree plus /fyr holding one empty directory per graft (payload, agent), adds its session
// after fyr's part of the image (the edited boot files, the embed areas, its trees, the boot
// equipment), and graft.ts then points xorriso's records of those empty directories at fyr's
// own, and rewrites the path tables with fyr's directories in them.
//
// What is written here: the base's volume descriptors with a new root (the base's Joliet tree
// is dropped, it describes the base's files only), the root (the base's records plus /fyr), the
// empty directories xorriso loads, room for the path tables, fyr's directories and the extents
// of every file, laid out one after the other.
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
import { pathRecordLength, readPathTable, type PathNode } from '../iso9660/path-table.js';
import { SMALL } from './payload-pieces.js';
import {
  checkedName,
  dirSize,
  dirWrites,
  newDir,
  pathNode,
  subdirIds,
  type Dir,
  type PlacedFile,
  type SessionFile,
} from './payload-dirs.js';

export type { PlacedFile, SessionFile } from './payload-dirs.js';

type Write = { offset: number; data: Buffer };

// A directory of fyr's under /fyr, to be grafted into xorriso's /fyr.
export interface Graft {
  lba: number;
  size: number;
  // Its Rock Ridge link count: 2 + its subdirectories.
  links: number;
  // It and the directories below it, for the path tables (its own identifier is xorriso's).
  node: PathNode;
}

export interface PayloadSession {
  // Byte offsets: the session starts after the base image and ends at the new volume size.
  start: number;
  end: number;
  // In image order.
  files: PlacedFile[];
  // What xorriso loads, written before it starts: the superblock, the root, /fyr and an empty
  // directory per graft. A piece's buffer may be reused for the next: write each before
  // taking another (here and in dirWrites).
  importWrites: Iterable<Write>;
  // fyr's directories, written any time before the graft.
  dirWrites: Iterable<Write>;
  // By Rock Ridge name, the directories under /fyr that are fyr's.
  grafts: Map<string, Graft>;
  // Room for the new type L and type M path tables, `bytes` each (byte offsets).
  pathTables: { l: number; m: number; bytes: number };
}

// Path table room for each of the base's directories and the ones xorriso adds (/fyr and a few
// more): xorriso names a directory anew, in up to 31 characters.
const SPARE_DIRS = 64;
const MAX_PATH_RECORD = pathRecordLength(31);

const VD_START = 16;

// The base's volume descriptors up to the terminator and its root directory's records, checked
// for what fyr's tree needs: ISO 9660, a primary descriptor, Rock Ridge announced.
function readBase(read: ReadAt): {
  descriptors: Buffer[];
  rootSelf: Buffer;
  rootUp: Buffer;
  rootEntries: Buffer[];
  pathDirs: number;
} {
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
  return { descriptors, rootSelf, rootUp, rootEntries, pathDirs: countDirs(read) };
}

// How many directories the base's path table lists.
function countDirs(read: ReadAt): number {
  try {
    const count = (n: PathNode): number => n.children.reduce((sum, c) => sum + count(c), 1);
    return count(readPathTable(read));
  } catch (err) {
    throw new FyrError('BASE_ISO_INVALID', `the base image's path table: ${(err as Error).message}`);
  }
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
  const placed: PlacedFile[] = files.map((f) => ({ isoPath: f.isoPath, size: f.size, mode: f.mode, extents: [] }));
  // Each directory by its path, made once with its parents: a file costs one lookup when its
  // directory exists (a registry tree's 5,600 files sit in 8,000 directories).
  const byPath = new Map<string, Dir>([['/fyr', fyr]]);
  const dirOf = (path: string, file: string): Dir => {
    const known = byPath.get(path);
    if (known) return known;
    // Every path starts with /fyr/ (checked below), so this ends at /fyr.
    const slash = path.lastIndexOf('/');
    const name = checkedName(path.slice(slash + 1), file);
    const parent = dirOf(path.slice(0, slash), file);
    const dir = newDir(name);
    parent.dirs.set(name, dir);
    byPath.set(path, dir);
    return dir;
  };
  for (const file of placed) {
    const slash = file.isoPath.lastIndexOf('/');
    const dirPath = file.isoPath.slice(0, slash);
    if (!dirPath.startsWith('/fyr/')) throw new Error(`${file.isoPath} is not in a directory under /fyr`);
    dirOf(dirPath, file.isoPath).files.push({ name: checkedName(file.isoPath.slice(slash + 1), file.isoPath), file });
  }
  // fyr's directories: the grafts and everything below them. /fyr itself is xorriso's.
  const dirs: Array<{ dir: Dir; parent: Dir }> = [];
  const collect = (dir: Dir, parent: Dir) => {
    dirs.push({ dir, parent });
    for (const sub of dir.dirs.values()) collect(sub, dir);
  };
  for (const top of fyr.dirs.values()) collect(top, fyr);
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

// Sectors from `lba` on: the root, the empty directories xorriso loads, room for the path
// tables, fyr's directories (their sizes depend only on names, so they are known first), then
// every file, a part per MAX_EXTENT (a large file from an even sector). Returns the end sector.
function placeExtents(
  tree: ReturnType<typeof buildTree>,
  shell: { fyr: Dir; dirs: Array<{ dir: Dir; parent: Dir }> },
  base: ReturnType<typeof readBase>,
  lba: number,
  date: Buffer,
): { end: number; pathTables: PayloadSession['pathTables'] } {
  const { root, fyr, placed, dirs } = tree;
  root.size = packRecords(rootRecords(base, root, shell.fyr, date)).length;
  const at = (dir: Dir) => {
    dir.lba = lba;
    lba += dir.size / SECTOR;
  };
  at(root);
  for (const { dir } of shell.dirs) {
    dir.size = dirSize(dir);
    at(dir);
  }
  // fyr's directories name xorriso's /fyr as their parent once grafted; the empty one until then.
  fyr.lba = shell.fyr.lba;
  fyr.size = shell.fyr.size;
  let ours = 0;
  for (const dir of [fyr, ...dirs.map((d) => d.dir)])
    for (const { id } of subdirIds(dir)) ours += pathRecordLength(id.length);
  const bytes = (base.pathDirs + SPARE_DIRS) * MAX_PATH_RECORD + ours;
  const sectors = Math.ceil(bytes / SECTOR);
  const pathTables = { l: lba * SECTOR, m: (lba + sectors) * SECTOR, bytes: sectors * SECTOR };
  lba += 2 * sectors;
  for (const { dir } of dirs) {
    dir.size = dirSize(dir);
    at(dir);
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
  return { end: lba, pathTables };
}

// /fyr as xorriso first sees it: an empty directory for each of fyr's.
function shellOf(fyr: Dir, root: Dir): { fyr: Dir; dirs: Array<{ dir: Dir; parent: Dir }> } {
  const shell = newDir('fyr');
  for (const name of fyr.dirs.keys()) shell.dirs.set(name, newDir(name));
  return {
    fyr: shell,
    dirs: [{ dir: shell, parent: root }, ...[...shell.dirs.values()].map((dir) => ({ dir, parent: shell }))],
  };
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

// Plans fyr's part of the image: where every directory and file goes, and the bytes of the
// superblock and directories. `read` reads the base image; `baseSize` is its file size (fyr's
// part starts at the next sector, after anything appended to the base's ISO 9660 volume).
export function planPayloadSession(
  read: ReadAt,
  baseSize: number,
  files: readonly SessionFile[],
  epoch: number,
): PayloadSession {
  const date = recordDate(epoch);
  const base = readBase(read);
  const tree = buildTree(files);
  const shell = shellOf(tree.fyr, tree.root);
  const startSector = Math.ceil(baseSize / SECTOR);
  const { end, pathTables } = placeExtents(tree, shell, base, startSector, date);
  const importWrites = {
    *[Symbol.iterator]() {
      yield { offset: tree.root.lba * SECTOR, data: packRecords(rootRecords(base, tree.root, shell.fyr, date)) };
      yield* dirWrites(shell.dirs, date);
      yield { offset: VD_START * SECTOR, data: descriptorSet(base, tree.root, end) };
    },
  };
  const grafts = new Map<string, Graft>();
  for (const [name, dir] of tree.fyr.dirs)
    grafts.set(name, { lba: dir.lba, size: dir.size, links: 2 + dir.dirs.size, node: pathNode(dir) });
  return {
    start: startSector * SECTOR,
    end: end * SECTOR,
    files: tree.placed,
    importWrites,
    dirWrites: { [Symbol.iterator]: () => dirWrites(tree.dirs, date) },
    grafts,
    pathTables,
  };
}
