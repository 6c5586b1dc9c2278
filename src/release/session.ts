// fyr's part of the release image: what xorriso loads and fyr's directories, written before it
// starts (the payload extents stay holes until they are filled); the check that xorriso's
// session kept out of it; the graft.
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { FyrError } from '../errors.js';
import { KS_PATH, MD5_PAD_PATH, MD5_PAD_SIZE, SITE_AREA_PATH } from '../formats/media-layout.js';
import { md5PaddingBlock } from '../iso9660/isomd5.js';
import { SECTOR, walkIso, type IsoEntry } from '../iso9660/read.js';
import { windowReader } from '../util/fs.js';
import { writeError } from '../util/write-error.js';
import { graftPayload } from './graft.js';
import type { PayloadSession } from './payload-session.js';

function writeAll(path: string, writes: Iterable<{ offset: number; data: Buffer }>, size?: number): void {
  const fd = openSync(path, 'r+');
  try {
    if (size !== undefined) ftruncateSync(fd, size);
    for (const w of writes) writeSync(fd, w.data, 0, w.data.length, w.offset);
  } catch (err) {
    throw writeError(err, path);
  } finally {
    closeSync(fd);
  }
}

// The superblock, root and empty directories xorriso loads, over the copy of the base, which
// grows to the end of fyr's part.
export const writeImport = (path: string, session: Pick<PayloadSession, 'importWrites' | 'end'>) =>
  writeAll(path, session.importWrites, session.end);

// fyr's directories.
export const writeDirs = (path: string, session: PayloadSession) => writeAll(path, session.dirWrites);

// fyr's directories grafted into xorriso's /fyr (graft.ts).
export function graft(path: string, session: PayloadSession): void {
  const fd = openSync(path, 'r+');
  try {
    graftPayload(fd, path, session);
  } finally {
    closeSync(fd);
  }
}

// xorriso's session must lie after fyr's part, the embed areas too. Returns the image's tree as
// xorriso wrote it with fyr's files added (the graft adds no other file), where the first
// embed area starts and, when the MD5 pad lies just before it, where the pad's padding block
// goes (written here); without it the MD5 is computed by fyr's own, slower implementation.
export function checkPlacement(
  path: string,
  session: PayloadSession,
): { walked: IsoEntry[]; first: number; padAt: number | undefined } {
  const fd = openSync(path, 'r+');
  try {
    // Before the graft: xorriso's tree only, the base's and its own files.
    const walked = walkIso(windowReader(fd));
    for (const e of walked) {
      for (const x of e.extents) {
        if (x.length > 0 && x.offset < session.end && x.offset + x.length > session.start)
          throw new FyrError('INTERNAL', `xorriso placed ${e.path} at ${x.offset}, inside fyr's payload`);
      }
    }
    const entries = new Map(walked.map((e) => [e.path, e]));
    const offset = (p: string) => {
      const extent = entries.get(p)?.extents[0];
      if (!extent) throw new FyrError('INTERNAL', `${p} is missing from the written image`);
      return extent.offset;
    };
    const first = Math.min(offset(KS_PATH), offset(SITE_AREA_PATH));
    if (first < session.end) throw new FyrError('INTERNAL', "xorriso placed the embed areas before fyr's payload");
    const all = [...walked, ...session.files.map((f) => ({ path: f.isoPath, directory: false, extents: f.extents }))];
    if (offset(MD5_PAD_PATH) + MD5_PAD_SIZE !== first) return { walked: all, first, padAt: undefined };
    writeSync(fd, md5PaddingBlock(first - 64), 0, 64, first - 64);
    return { walked: all, first, padAt: first - 64 };
  } finally {
    closeSync(fd);
  }
}

// Whether [offset, offset + length) lies in the zeros between one payload file's last byte and
// the next file's first sector: fyr planned the files there and never writes between them
// (fill-payload.ts). The release's outside hash need not read them: there are thousands on a
// registry tree, each a read of a block the direct writes left uncached.
export function payloadGaps(session: Pick<PayloadSession, 'files'>): (offset: number, length: number) => boolean {
  const extents = session.files.flatMap((f) => f.extents.filter((x) => x.length > 0));
  extents.sort((a, b) => a.offset - b.offset);
  const gaps = new Map<number, number>();
  extents.forEach((x, i) => {
    const end = x.offset + x.length;
    const next = extents[i + 1]?.offset ?? Math.ceil(end / SECTOR) * SECTOR;
    if (next > end) gaps.set(end, next - end);
  });
  return (offset, length) => (gaps.get(offset) ?? 0) >= length;
}
