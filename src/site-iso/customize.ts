// fyr customize: a site written into a release or site ISO in place: the areas and the
// media-check field only, the MD5 finished from the saved state. With rehash, the whole image
// is hashed again (and a fresh state saved), in steps that yield, so Ctrl-C stops it.
import { resolve } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { releaseJsonBytes } from '../formats/release-json.js';
import { IsoMd5Hasher, type IsoMd5Result } from '../iso9660/isomd5.js';
import { appDataPatch, feed, type Patch } from '../iso9660/media-check.js';
import type { ReadAt } from '../iso9660/read.js';
import { throwIfAborted, type LongWork, type ProgressEvent } from '../util/progress.js';
import { openReleaseImage } from './release-image.js';
import {
  checkOutside,
  fastPatches,
  releaseInvalidIfEnded,
  sitePatches,
  writePatches,
  type SiteContent,
  type SpliceResult,
} from './splice.js';

export interface CustomizeOptions extends LongWork<ProgressEvent<'hash'>> {
  iso: string;
  content: SiteContent;
  // Re-hash the whole image instead of trusting the saved state (and save a fresh one).
  rehash?: boolean;
}

// Between steps of this many bytes the event loop runs, so a signal is seen within ~0.1 s.
const STEP = 64 << 20;

export async function customizeIso(o: CustomizeOptions): Promise<SpliceResult> {
  const image = openReleaseImage(o.iso, 'r+');
  try {
    let patches: Patch[];
    let md5: IsoMd5Result;
    let info = image.info;
    checkOutside(image);
    if (!o.rehash) {
      ({ patches, md5 } = fastPatches(
        image,
        o.content,
        `Pass --rehash to re-hash the whole image (${(image.size / 1024 ** 3).toFixed(1)} GiB) and save a fresh state.`,
      ));
    } else {
      const areas = sitePatches(image.info.embed, o.content);
      const hasher = new IsoMd5Hasher(image.layout);
      const total = image.layout.hashedLength;
      const hash = (end: number, with_: readonly Patch[]) => feedInSteps(hasher, image.read, end, with_, total, o);
      await hash(image.areas[0]!.offset, areas);
      info = { ...image.info, md5: hasher.checkpoint() };
      const json = { offset: image.releaseJson.offset, data: releaseJsonBytes(info, image.releaseJson.length) };
      await hash(total, [...areas, json]);
      md5 = hasher.result();
      patches = [...areas, json, appDataPatch(image.layout, md5)];
    }
    throwIfAborted(o.signal, `${o.iso} was changed`);
    // Not fsynced: the file may still hold gigabytes of dirty pages from the copy that made it,
    // and fsync would flush them all (as for build and release, run sync before pulling power).
    writePatches(image.fd, patches);
    return {
      output: resolve(o.iso),
      size: image.size,
      md5,
      info,
      patched: patches.reduce((n, p) => n + p.data.length, 0),
      copied: 'none',
    };
  } catch (err) {
    throw releaseInvalidIfEnded(err, o.iso);
  } finally {
    image.close();
  }
}

async function feedInSteps(
  hasher: IsoMd5Hasher,
  read: ReadAt,
  end: number,
  patches: readonly Patch[],
  total: number,
  o: CustomizeOptions,
): Promise<void> {
  while (hasher.position < end) {
    throwIfAborted(o.signal, `${o.iso} was re-hashed (nothing was written)`);
    feed(hasher, read, Math.min(end, hasher.position + STEP), patches, (done) =>
      o.onProgress?.({ phase: 'hash', done, total }),
    );
    await setImmediate();
  }
}
