// How far fyr's part of the image may reach, from the payload's files alone, before its tree is
// planned (payload-session.ts). xorriso appends its session after that bound, so it starts
// while fyr plans and writes its directories; what fyr's tree leaves of the room stays zeros.
import { SECTOR } from '../iso9660/read.js';
import { MAX_EXTENT } from '../iso9660/records.js';
import { pathRecordLength } from '../iso9660/path-table.js';
import { DOT_RECORDS, maxRecordLength, type SessionFile } from './payload-dirs.js';
import { SMALL } from './payload-pieces.js';

// Path table room for each of the base's directories and the ones xorriso adds (/fyr and a few
// more): xorriso names a directory anew, in up to 31 characters.
export const SPARE_DIRS = 64;
export const MAX_PATH_RECORD = pathRecordLength(31);

// A directory's records spill into another sector only once more than SECTOR - 255 bytes are in
// the one before (a record is at most 255 bytes), so a directory of B bytes of records takes at
// most 1 + B / (SECTOR - 255) sectors, and all of them at most their count plus the sum over that.
const FULL = SECTOR - 255;

// Sectors, at most, of what follows the directories xorriso loads: the path tables' room, fyr's
// directories (under /fyr; /fyr itself is xorriso's), the files (a part per MAX_EXTENT, a large
// file from an even sector). `pathDirs`: the base's directories in its path table.
export function boundTreeSectors(files: readonly SessionFile[], pathDirs: number): number {
  const dirs = new Set<string>();
  let records = 0;
  let fileSectors = 0;
  for (const f of files) {
    const slash = f.isoPath.lastIndexOf('/');
    const parts = Math.max(1, Math.ceil(f.size / MAX_EXTENT));
    records += parts * maxRecordLength(f.isoPath.slice(slash + 1));
    // Every part but the last is MAX_EXTENT, whole sectors.
    fileSectors += Math.ceil(f.size / SECTOR) + (f.size > SMALL ? 1 : 0);
    for (let dir = f.isoPath.slice(0, slash); dir.startsWith('/fyr/') && !dirs.has(dir);) {
      dirs.add(dir);
      const up = dir.lastIndexOf('/');
      records += DOT_RECORDS + maxRecordLength(dir.slice(up + 1));
      dir = dir.slice(0, up);
    }
  }
  const tableSectors = Math.ceil(((pathDirs + SPARE_DIRS + dirs.size) * MAX_PATH_RECORD) / SECTOR);
  return 2 * tableSectors + dirs.size + Math.ceil(records / FULL) + fileSectors;
}
