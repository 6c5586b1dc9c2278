// The payload as an ISO 9660 tree that fyr lays out itself, after a copy of the base image,
// grafted into the tree xorriso's session writes. The large files never pass through xorriso's
// 2 KiB copy loop, and xorriso never loads the payload's tens of thousands of nodes: it loads the
// base's tree plus /fyr holding one empty directory per graft (payload, agent), adds its session
// after fyr's part of the image (the edited boot files, the embed areas, its trees, the boot
// equipment), and graft.ts then points xorriso's records of those empty directories at fyr's
// own, and rewrites the path tables with fyr's directories in them.
//
// What is written here: what xorriso loads (payload-import.ts: the base's volume descriptors
// with a new root, the root, the empty directories), then room for the path tables, fyr's
// directories and the extents of every file, laid out one after the other, and zeros up to the
// part's bound (payload-bound.ts), which is where xorriso's session starts: known from the files
// alone, it lets xorriso run while fyr plans and writes its own tree.
import { FyrError } from '../errors.js';
import { SECTOR, type ReadAt } from '../iso9660/read.js';
import { MAX_EXTENT, packRecords, recordDate } from '../iso9660/records.js';
import { pathRecordLength, type PathNode } from '../iso9660/path-table.js';
import { boundTreeSectors, MAX_PATH_RECORD, SPARE_DIRS } from './payload-bound.js';
import { descriptorSet, placeShell, readBase, rootRecords, shellOf, VD_START, type Shell } from './payload-import.js';
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

// The tree of new directories, all under /fyr, with every file in its directory.
function buildTree(files: readonly SessionFile[]): {
  fyr: Dir;
  placed: PlacedFile[];
  dirs: Array<{ dir: Dir; parent: Dir }>;
} {
  const fyr = newDir('fyr');
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
  return { fyr, placed, dirs };
}

// Sectors from `lba` on, after the shell: room for the path tables, fyr's directories (their
// sizes depend only on names, so they are known first), then every file, a part per MAX_EXTENT
// (a large file from an even sector). Returns the end sector.
function placeTree(
  tree: ReturnType<typeof buildTree>,
  shell: Shell,
  base: ReturnType<typeof readBase>,
  lba: number,
): { end: number; pathTables: PayloadSession['pathTables'] } {
  const { fyr, placed, dirs } = tree;
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
  return { end: lba, pathTables };
}

// fyr's part of the image before its tree is planned: what xorriso loads, and the room the
// part may take (payload-bound.ts), so xorriso can write its session after it while `complete`
// plans where every directory and file goes and the bytes of the directories. `read` reads the
// base image; `baseSize` is its file size (fyr's part starts at the next sector, after anything
// appended to the base's ISO 9660 volume).
export interface PayloadDraft {
  start: number;
  end: number;
  importWrites: PayloadSession['importWrites'];
  complete(): PayloadSession;
}

export function draftPayloadSession(
  read: ReadAt,
  baseSize: number,
  files: readonly SessionFile[],
  epoch: number,
): PayloadDraft {
  const date = recordDate(epoch);
  const base = readBase(read);
  const root = newDir('');
  const shell = shellOf(files, root);
  // The root's link count in the ".." of /fyr, as xorriso first sees it.
  root.dirs.set('fyr', shell.fyr);
  const startSector = Math.ceil(baseSize / SECTOR);
  const treeSector = placeShell(root, shell, base, startSector, date);
  const end = treeSector + boundTreeSectors(files, base.pathDirs);
  const importWrites = {
    *[Symbol.iterator]() {
      yield { offset: root.lba * SECTOR, data: packRecords(rootRecords(base, root, shell.fyr, date)) };
      yield* dirWrites(shell.dirs, date);
      yield { offset: VD_START * SECTOR, data: descriptorSet(base, root, end) };
    },
  };
  const complete = (): PayloadSession => {
    const tree = buildTree(files);
    const { end: used, pathTables } = placeTree(tree, shell, base, treeSector);
    if (used > end) throw new FyrError('INTERNAL', `fyr's part takes ${used - end} sectors more than its bound`);
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
  };
  return { start: startSector * SECTOR, end: end * SECTOR, importWrites, complete };
}

// The whole plan at once (the draft completed).
export const planPayloadSession = (read: ReadAt, baseSize: number, files: readonly SessionFile[], epoch: number) =>
  draftPayloadSession(read, baseSize, files, epoch).complete();
