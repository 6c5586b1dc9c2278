// How fyr release cuts the payload into the pieces it reads, hashes and writes: 4 MiB pieces of
// a large file, and batches of small files that lie one after the other in the image (a
// registry tree holds thousands of link files of 71 bytes), read into one buffer and written and
// MD5-hashed as one piece.
import { createHash } from 'node:crypto';
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { FyrError } from '../errors.js';
import { SECTOR, type Extent } from '../iso9660/read.js';

export const CHUNK = 4 << 20;

export interface FillFile {
  source: string;
  // Undefined: not known in advance; the copy reports what it read (FillResult.read).
  sha256: string | undefined;
  // With no sha256: keep the file's bytes too (small files only).
  keep?: boolean;
  size: number;
  extents: readonly Extent[];
}

export interface Piece {
  file: number;
  // Offset in the file, length, offset in the image.
  from: number;
  length: number;
  at: number;
  // Several small files that lie one after the other, read into one buffer and written and
  // MD5-hashed as one piece (a registry tree holds thousands of link files of 71 bytes).
  batch?: number[];
}

// Files up to this size are batched; a batch stays within one buffer. Larger ones are written
// piece by piece, and start on a 4 KiB boundary of the image (payload-session.ts).
export const SMALL = 64 << 10;
const sectorEnd = (offset: number, size: number) => offset + Math.ceil(size / SECTOR) * SECTOR;

export function piecesOf(files: readonly FillFile[]): Piece[] {
  const pieces: Piece[] = [];
  let open: Piece | undefined;
  files.forEach((f, file) => {
    const only = f.extents.length === 1 ? f.extents[0]! : undefined;
    if (only && f.size > 0 && f.size <= SMALL) {
      const last = open?.batch?.at(-1);
      const follows =
        open !== undefined &&
        last !== undefined &&
        sectorEnd(files[last]!.extents[0]!.offset, files[last]!.size) === only.offset &&
        only.offset + f.size - open.at <= CHUNK;
      if (follows) {
        open!.batch!.push(file);
        open!.length = only.offset + f.size - open!.at;
      } else {
        open = { file, from: 0, length: f.size, at: only.offset, batch: [file] };
        pieces.push(open);
      }
      return;
    }
    open = undefined;
    let from = 0;
    for (const x of f.extents) {
      for (let at = 0; at < x.length; at += CHUNK)
        pieces.push({ file, from: from + at, length: Math.min(CHUNK, x.length - at), at: x.offset + at });
      from += x.length;
    }
  });
  return pieces;
}

// Reads a batch's files into `slot` at their places (zeros between them: sector padding) and
// returns each one's sha256.
export function readBatch(files: readonly FillFile[], piece: Piece, slot: Buffer): string[] {
  slot.fill(0, 0, piece.length);
  return piece.batch!.map((index) => {
    const f = files[index]!;
    const into = f.extents[0]!.offset - piece.at;
    let fd: number;
    try {
      fd = openSync(f.source, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (err) {
      throw new FyrError('CONTENT_INVALID', `cannot read ${f.source}: ${(err as NodeJS.ErrnoException).code ?? err}`);
    }
    try {
      const n = readSync(fd, slot, into, f.size, 0);
      if (n !== f.size) throw new FyrError('CONTENT_INVALID', `${f.source} became shorter while it was copied`);
    } finally {
      closeSync(fd);
    }
    return createHash('sha256')
      .update(slot.subarray(into, into + f.size))
      .digest('hex');
  });
}
