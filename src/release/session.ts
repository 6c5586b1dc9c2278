// fyr's payload tree in the release image: its superblock and directories written over the copy
// of the base (the payload extents stay holes until fill-payload.ts fills them), and the check
// that xorriso's session left every file where fyr put it.
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { FyrError } from '../errors.js';
import { KS_PATH, MD5_PAD_PATH, MD5_PAD_SIZE, SITE_AREA_PATH } from '../formats/media-layout.js';
import { md5PaddingBlock } from '../iso9660/isomd5.js';
import { SECTOR, walkIso, type IsoEntry } from '../iso9660/read.js';
import { windowReader } from '../util/fs.js';
import { writeError } from '../util/write-error.js';
import type { PayloadSession } from './payload-session.js';

// The superblock and directories of fyr's payload tree over the copy of the base; the payload
// extents stay holes until they are filled.
export function writeSession(path: string, session: PayloadSession): void {
  const fd = openSync(path, 'r+');
  try {
    ftruncateSync(fd, session.end);
    for (const w of session.writes) writeSync(fd, w.data, 0, w.data.length, w.offset);
  } catch (err) {
    throw writeError(err, path);
  } finally {
    closeSync(fd);
  }
}

// xorriso must have kept every payload file where fyr put it. Returns the image's entries (the
// tree does not change after xorriso), where the first embed area starts and, when the MD5 pad
// lies just before it, where the pad's padding block goes (written here); without it the MD5 is
// computed by fyr's own, slower implementation.
export function checkPlacement(
  path: string,
  session: PayloadSession,
): { walked: IsoEntry[]; first: number; padAt: number | undefined } {
  const fd = openSync(path, 'r+');
  try {
    // walkIso takes what it needs from each directory as it reads it.
    const walked = walkIso(windowReader(fd));
    const entries = new Map(walked.map((e) => [e.path, e]));
    for (const f of session.files) {
      const got = entries.get(f.isoPath)?.extents.filter((x) => x.length > 0) ?? [];
      const want = f.extents.filter((x) => x.length > 0);
      if (
        got.length !== want.length ||
        got.some((x, i) => x.offset !== want[i]!.offset || x.length !== want[i]!.length)
      ) {
        throw new FyrError(
          'INTERNAL',
          `xorriso moved ${f.isoPath} (planned at ${want[0]?.offset ?? 0}, found at ${got[0]?.offset ?? 'nowhere'})`,
        );
      }
    }
    const offset = (p: string) => {
      const extent = entries.get(p)?.extents[0];
      if (!extent) throw new FyrError('INTERNAL', `${p} is missing from the written image`);
      return extent.offset;
    };
    const first = Math.min(offset(KS_PATH), offset(SITE_AREA_PATH));
    if (offset(MD5_PAD_PATH) + MD5_PAD_SIZE !== first) return { walked, first, padAt: undefined };
    writeSync(fd, md5PaddingBlock(first - 64), 0, 64, first - 64);
    return { walked, first, padAt: first - 64 };
  } finally {
    closeSync(fd);
  }
}

// Whether [offset, offset + length) lies in the zeros between one payload file's last byte and
// the next file's first sector: fyr planned the files there and never writes between them
// (fill-payload.ts). The release's outside hash need not read them: there are thousands on a
// registry tree, each a read of a block the direct writes left uncached.
export function payloadGaps(session: PayloadSession): (offset: number, length: number) => boolean {
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
