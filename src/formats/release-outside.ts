// The bytes of a release that are not payload: every byte before the first embed area except
// the data of the files the release carries (the payload, the base's kernel, repositories), the
// boot files put back in (menus, boot images, the ESP image, the boot catalog) and the
// media-check field. That is the system area, the volume descriptors, path tables, directory
// records and the boot files: megabytes, so fyr build and customize can hash them on every
// build and refuse a release changed there, which the saved MD5 state would not notice (it is
// trusted, not recomputed). The payload stays for --verify and fyr inspect --verify.
import { createHash } from 'node:crypto';
import { APPDATA_SIZE } from '../iso9660/isomd5.js';
import type { IsoEntry, ReadAt } from '../iso9660/read.js';

// Boot files, hashed with the rest: where the firmware and loaders look, if not huge.
const BOOT_FILE = /^\/(isolinux|efi|boot)\/|^\/images\/(efiboot|eltorito)\.img$/i;
const BOOT_FILE_MAX = 64 << 20;
const ZERO = Buffer.alloc(64 << 10);

// [offset, length] ranges before `first` that are not payload, in image order.
export function outsideRanges(entries: readonly IsoEntry[], first: number, appDataAt: number): Array<[number, number]> {
  const skip: Array<[number, number]> = [[appDataAt, appDataAt + APPDATA_SIZE]];
  for (const e of entries) {
    if (e.directory) continue;
    const total = e.extents.reduce((n, x) => n + x.length, 0);
    if (BOOT_FILE.test(e.path) && total <= BOOT_FILE_MAX) continue;
    for (const x of e.extents) if (x.length > 0) skip.push([x.offset, x.offset + x.length]);
  }
  skip.sort((a, b) => a[0] - b[0]);
  const ranges: Array<[number, number]> = [];
  let at = 0;
  for (const [from, to] of skip) {
    if (from >= first) break;
    if (from > at) ranges.push([at, from - at]);
    at = Math.max(at, to);
  }
  if (at < first) ranges.push([at, first - at]);
  return ranges;
}

// sha256 over the ranges' bytes in order; undefined when the image ends inside one. A range
// `zeros` vouches for (the writer of the image knows it left zeros there) is hashed as zeros
// without reading it.
export function outsideSha256(
  read: ReadAt,
  ranges: ReadonlyArray<[number, number]>,
  zeros?: (offset: number, length: number) => boolean,
): string | undefined {
  const steps = outsideSteps(read, ranges, zeros);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

// The same, a read of at most 4 MiB at a time, `between` awaited after each: for a writer that
// hashes its image's outside while it copies the payload in on the same thread.
export async function outsideSha256Stepwise(
  read: ReadAt,
  ranges: ReadonlyArray<[number, number]>,
  zeros: ((offset: number, length: number) => boolean) | undefined,
  between: () => Promise<unknown>,
): Promise<string | undefined> {
  const steps = outsideSteps(read, ranges, zeros);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await between();
  }
}

function* outsideSteps(
  read: ReadAt,
  ranges: ReadonlyArray<[number, number]>,
  zeros?: (offset: number, length: number) => boolean,
): Generator<void, string | undefined> {
  const hash = createHash('sha256');
  const STEP = 4 << 20;
  for (const [offset, length] of ranges) {
    if (zeros?.(offset, length)) {
      for (let done = 0; done < length; done += ZERO.length)
        hash.update(ZERO.subarray(0, Math.min(ZERO.length, length - done)));
      continue;
    }
    for (let done = 0; done < length; done += STEP) {
      const want = Math.min(STEP, length - done);
      const chunk = read(offset + done, want);
      if (chunk.length < want) return undefined;
      hash.update(chunk);
      yield;
    }
  }
  return hash.digest('hex');
}
