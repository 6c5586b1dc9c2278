// After the write: find where the embed areas landed, record them in release.json (patched in
// place, same size), and finish the media-check MD5 from the last checkpoint before them.
import { closeSync, openSync, writeSync } from 'node:fs';
import { FyrError } from '../errors.js';
import { KS_PATH, RELEASE_JSON_PATH, SITE_AREA_PATH } from '../formats/media-layout.js';
import { releaseJsonBytes, type ReleaseInfo } from '../formats/release-json.js';
import { outsideRanges, outsideSha256 } from '../formats/release-outside.js';
import { type Area } from '../formats/embed-areas.js';
import { ImageEndedError, feed } from '../iso9660/media-check.js';
import { PVD_OFFSET, SECTOR, type IsoEntry } from '../iso9660/read.js';
import {
  formatAppData,
  IsoMd5Hasher,
  isoMd5Layout,
  type IsoMd5Checkpoint,
  type IsoMd5Result,
} from '../iso9660/isomd5.js';
import { fileReader, scratchReader } from '../util/fs.js';

export interface Finished {
  info: ReleaseInfo;
  md5: IsoMd5Result;
  // The MD5 state just before the first embed area.
  resume: IsoMd5Checkpoint;
}

function area(entries: IsoEntry[], path: string, length: number): Area {
  const entry = entries.find((e) => e.path === path);
  if (!entry || entry.extents.length !== 1 || entry.extents[0]!.length !== length) {
    throw new FyrError('INTERNAL', `${path} is missing from the written image or has the wrong size`);
  }
  return { path, offset: entry.extents[0]!.offset, length };
}

// `entries`: the image's tree as checkPlacement walked it (nothing has changed it since);
// `zeros`: the ranges fyr knows it left zeros (payloadGaps).
export function finishImage(
  path: string,
  checkpoints: readonly IsoMd5Checkpoint[],
  info: ReleaseInfo,
  sizes: { ks: number; site: number; json: number },
  entries: IsoEntry[],
  zeros: (offset: number, length: number) => boolean,
): Finished {
  const fd = openSync(path, 'r+');
  try {
    const read = fileReader(fd);
    const ks = area(entries, KS_PATH, sizes.ks);
    const site = area(entries, SITE_AREA_PATH, sizes.site);
    const json = area(entries, RELEASE_JSON_PATH, sizes.json);
    const first = Math.min(ks.offset, site.offset);
    // Everything before the first area must be the same for every site of the release.
    for (const e of entries) {
      if (e.directory || [KS_PATH, SITE_AREA_PATH, RELEASE_JSON_PATH].includes(e.path)) continue;
      for (const x of e.extents) {
        if (x.length > 0 && x.offset + x.length > first)
          throw new FyrError('INTERNAL', `xorriso placed ${e.path} after the embed areas`);
      }
    }
    if (json.offset < first) throw new FyrError('INTERNAL', 'xorriso placed release.json before the embed areas');
    const layout = isoMd5Layout(read(PVD_OFFSET, SECTOR));
    const from = [...checkpoints].reverse().find((c) => c.offset <= first);
    const hasher = new IsoMd5Hasher(layout, from);
    feed(hasher, read, first, []);
    const resume = hasher.checkpoint();
    const outside = outsideSha256(scratchReader(fd), outsideRanges(entries, first, layout.appDataAt), zeros);
    if (outside === undefined) throw new ImageEndedError(first);
    const final: ReleaseInfo = { ...info, embed: { kickstart: ks, site }, md5: resume, outside: { sha256: outside } };
    writeSync(fd, releaseJsonBytes(final, sizes.json), 0, sizes.json, json.offset);
    feed(hasher, read, layout.hashedLength, []);
    const md5 = hasher.result();
    writeSync(fd, formatAppData(md5), 0, 512, layout.appDataAt);
    return { info: final, md5, resume };
  } catch (err) {
    // An image fyr just wrote that ends early was cut short under it.
    throw err instanceof ImageEndedError
      ? new FyrError('WRITE_FAILED', `${path}: ${err.message}`, { cause: err })
      : err;
  } finally {
    closeSync(fd);
  }
}
