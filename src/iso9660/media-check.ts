// Finishing isomd5sum's media-check MD5 over an image with some bytes replaced: the patches a
// site splice writes, applied as the image is read, and the hash resumed from a saved state so
// only the bytes after it are read. Pure: the image comes in through a ReadAt.
import {
  APPDATA_SIZE,
  formatAppData,
  IsoMd5Hasher,
  parseAppData,
  type IsoMd5Checkpoint,
  type IsoMd5Layout,
  type IsoMd5Result,
} from './isomd5.js';
import type { ReadAt } from './read.js';

// Bytes to put at an offset of the image instead of what is there.
export interface Patch {
  offset: number;
  data: Buffer;
}

// The image ended before the hasher reached `end`: a truncated file, or one still being written.
export class ImageEndedError extends Error {
  constructor(readonly at: number) {
    super(`the image ends at ${at} bytes, before its volume size`);
  }
}
ImageEndedError.prototype.name = 'ImageEndedError';

const CHUNK = 1 << 20;

// Puts the patches' bytes into a chunk of the image that starts at offset `at`.
export function overlay(chunk: Buffer, at: number, patches: readonly Patch[]): void {
  for (const p of patches) {
    const from = Math.max(p.offset, at);
    const to = Math.min(p.offset + p.data.length, at + chunk.length);
    if (from < to) p.data.copy(chunk, from - at, from - p.offset, to - p.offset);
  }
}

// Feeds the hasher from its position up to `end`, reading the image with the patches applied.
// `onChunk` sees the position after each chunk (progress; a throw there stops the feed).
export function feed(
  hasher: IsoMd5Hasher,
  read: ReadAt,
  end: number,
  patches: readonly Patch[],
  onChunk?: (position: number) => void,
): void {
  // One chunk buffer, reused: the patches go into it, never into what `read` returned.
  const own = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(0, end - hasher.position)));
  while (hasher.position < end) {
    const at = hasher.position;
    const raw = read(at, Math.min(CHUNK, end - at));
    if (raw.length === 0) throw new ImageEndedError(at);
    const chunk = own.subarray(0, raw.length);
    raw.copy(chunk);
    overlay(chunk, at, patches);
    hasher.update(chunk);
    onChunk?.(hasher.position);
  }
}

// The media-check MD5 with the patches applied, from the saved state.
export function finishFromState(
  read: ReadAt,
  layout: IsoMd5Layout,
  resume: IsoMd5Checkpoint,
  patches: readonly Patch[],
): IsoMd5Result {
  const hasher = new IsoMd5Hasher(layout, resume);
  feed(hasher, read, layout.hashedLength, patches);
  return hasher.result();
}

// The MD5 and fragment sums implanted in the image's application-use field, if any.
export const implantedMd5 = (image: { read: ReadAt; layout: IsoMd5Layout }) =>
  parseAppData(image.read(image.layout.appDataAt, APPDATA_SIZE));

// Whether the saved state, finished over the image as it is, gives the implanted MD5: the
// fast path's precondition. A mismatch means the image or the state was changed by hand.
export function stateMatchesImplant(image: {
  read: ReadAt;
  layout: IsoMd5Layout;
  resume: IsoMd5Checkpoint | undefined;
}): boolean {
  const implanted = implantedMd5(image);
  if (!implanted || !image.resume) return false;
  const current = finishFromState(image.read, image.layout, image.resume, []);
  return current.md5 === implanted.md5 && current.fragmentSums === implanted.fragmentSums;
}

// The patch that implants a media-check result.
export const appDataPatch = (layout: IsoMd5Layout, result: IsoMd5Result): Patch => ({
  offset: layout.appDataAt,
  data: formatAppData(result),
});
