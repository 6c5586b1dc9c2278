// After xorriso's session: its /fyr holds an empty directory for each of fyr's (payload-session.ts).
// Their records are pointed at fyr's directories (extent, size, Rock Ridge link count), those
// directories' ".." at xorriso's /fyr, and the path tables are written anew with fyr's
// directories in them, in the room fyr left. Every change is to a record or table in place:
// no byte moves, and the image keeps the size and partition tables xorriso gave it.
import { writeSync } from 'node:fs';
import { FyrError } from '../errors.js';
import { MEDIA_DIR } from '../formats/media-layout.js';
import { patchPathTableFields, pathTables, readPathTable, type PathNode } from '../iso9660/path-table.js';
import { directoryEntries, PVD_OFFSET, readPrimaryVolume, SECTOR } from '../iso9660/read.js';
import { patchExtent, patchLinks } from '../iso9660/records.js';
import { fileReader } from '../util/fs.js';
import { writeError } from '../util/write-error.js';
import type { PayloadSession } from './payload-session.js';

export function graftPayload(fd: number, path: string, session: PayloadSession): void {
  const read = fileReader(fd);
  const put = (data: Buffer, at: number) => {
    try {
      writeSync(fd, data, 0, data.length, at);
    } catch (err) {
      throw writeError(err, path);
    }
  };
  const volume = readPrimaryVolume(read);
  const fyr = directoryEntries(read, volume.root).find((e) => e.directory && e.name === MEDIA_DIR);
  if (!fyr) throw new FyrError('INTERNAL', `xorriso's session has no /${MEDIA_DIR}`);
  const inFyr = directoryEntries(read, fyr.extent);
  // xorriso's empty directory (its sector) -> what replaces it in the path tables.
  const replaced = new Map<number, PathNode>();
  for (const [name, graft] of session.grafts) {
    const shell = inFyr.find((e) => e.directory && e.name === name);
    if (!shell) throw new FyrError('INTERNAL', `xorriso's /${MEDIA_DIR} has no ${name}`);
    replaced.set(shell.extent.offset / SECTOR, graft.node);
    put(patchLinks(patchExtent(shell.raw, graft.lba, graft.size), graft.links), shell.at);
    const up = directoryEntries(read, { offset: graft.lba * SECTOR, length: graft.size })[1];
    if (up?.name !== '..') throw new FyrError('INTERNAL', `fyr's /${MEDIA_DIR}/${name} has no ".." record`);
    put(patchExtent(up.raw, fyr.extent.offset / SECTOR, fyr.extent.length), up.at);
  }
  const tree = readPathTable(read);
  let grafted = 0;
  const visit = (node: PathNode) => {
    const graft = replaced.get(node.lba);
    if (graft) {
      if (node.children.length > 0)
        throw new FyrError('INTERNAL', "a grafted directory is not empty in xorriso's path table");
      node.lba = graft.lba;
      node.children = graft.children;
      grafted++;
      return;
    }
    node.children.forEach(visit);
  };
  visit(tree);
  if (grafted !== replaced.size)
    throw new FyrError(
      'INTERNAL',
      `xorriso's path table lists ${grafted} of fyr's ${replaced.size} directories under /${MEDIA_DIR}`,
    );
  let tables;
  try {
    tables = pathTables(tree);
  } catch (err) {
    throw new FyrError('CONTENT_INVALID', `the payload: ${(err as Error).message}`);
  }
  const room = session.pathTables;
  if (tables.l.length > room.bytes)
    throw new FyrError('INTERNAL', `the path tables take ${tables.l.length} bytes; fyr left room for ${room.bytes}`);
  put(tables.l, room.l);
  put(tables.m, room.m);
  const pvd = Buffer.from(read(PVD_OFFSET, SECTOR));
  patchPathTableFields(pvd, tables.l.length, room.l / SECTOR, room.m / SECTOR);
  put(pvd, PVD_OFFSET);
}
