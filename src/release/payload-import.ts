// What xorriso loads of fyr's part (payload-session.ts), written before it starts: the base's
// volume descriptors with a new root and volume size, the root (the base's records plus /fyr),
// and /fyr holding one empty directory per graft.
import { FyrError } from '../errors.js';
import { rawDirectoryRecords, SECTOR, type ReadAt } from '../iso9660/read.js';
import {
  both32,
  directoryRecord,
  DIR_MODE,
  isoName,
  nameEntry,
  packRecords,
  patchExtent,
  posixEntry,
  recordId,
  terminatorDescriptor,
} from '../iso9660/records.js';
import { readPathTable, type PathNode } from '../iso9660/path-table.js';
import { dirSize, newDir, type Dir, type SessionFile } from './payload-dirs.js';

export const VD_START = 16;

// The base's volume descriptors up to the terminator and its root directory's records, checked
// for what fyr's tree needs: ISO 9660, a primary descriptor, Rock Ridge announced.
export function readBase(read: ReadAt): {
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

// The base's root records plus /fyr, sorted as ECMA-119 wants, pointing at the new root.
export function rootRecords(base: ReturnType<typeof readBase>, root: Dir, fyr: Dir, date: Buffer): Buffer[] {
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

// Sectors from `lba` on: the root and the empty directories xorriso loads. Returns the next.
export function placeShell(
  root: Dir,
  shell: Shell,
  base: ReturnType<typeof readBase>,
  lba: number,
  date: Buffer,
): number {
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
  return lba;
}

export type Shell = { fyr: Dir; dirs: Array<{ dir: Dir; parent: Dir }> };

// /fyr as xorriso first sees it: an empty directory for each of fyr's, named by the files' paths
// (/fyr/NAME/...) in the order buildTree meets them.
export function shellOf(files: readonly SessionFile[], root: Dir): Shell {
  const shell = newDir('fyr');
  for (const { isoPath } of files) {
    // A path not of that shape is refused when the tree is built (payload-session.ts).
    const slash = isoPath.indexOf('/', 5);
    const name = isoPath.slice(5, slash);
    if (isoPath.startsWith('/fyr/') && slash > 5 && !shell.dirs.has(name)) shell.dirs.set(name, newDir(name));
  }
  return {
    fyr: shell,
    dirs: [{ dir: shell, parent: root }, ...[...shell.dirs.values()].map((dir) => ({ dir, parent: shell }))],
  };
}

// The base's descriptors with the new root and volume size: boot records kept, Joliet and other
// supplementary trees dropped (they describe the base's files only).
export function descriptorSet(base: ReturnType<typeof readBase>, root: Dir, endSector: number): Buffer {
  const newPvd = Buffer.from(base.descriptors[0]!);
  both32(endSector).copy(newPvd, 80);
  patchExtent(newPvd.subarray(156, 190), root.lba, root.size).copy(newPvd, 156);
  const set = [newPvd, ...base.descriptors.slice(1).filter((vd) => vd[0] === 0), terminatorDescriptor()];
  while (set.length < base.descriptors.length) set.push(Buffer.alloc(SECTOR));
  return Buffer.concat(set);
}
