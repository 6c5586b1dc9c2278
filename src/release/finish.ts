// After the write: where the embed areas landed, recorded in release.json (patched in place,
// same size) with the sha256 of the release's outside, and the media-check MD5 finished over
// the areas by the worker that hashed the rest, then implanted.
import { closeSync, openSync, writeSync } from 'node:fs';
import { setImmediate } from 'node:timers/promises';
import { FyrError } from '../errors.js';
import { KS_PATH, RELEASE_JSON_PATH, SITE_AREA_PATH } from '../formats/media-layout.js';
import { releaseJsonBytes, type ReleaseInfo } from '../formats/release-json.js';
import { outsideRanges, outsideSha256Stepwise } from '../formats/release-outside.js';
import { type Area } from '../formats/embed-areas.js';
import { ImageEndedError } from '../iso9660/media-check.js';
import { APPDATA_OFFSET, formatAppData, type IsoMd5Checkpoint, type IsoMd5Result } from '../iso9660/isomd5.js';
import { PVD_OFFSET, type IsoEntry } from '../iso9660/read.js';
import { scratchReader } from '../util/fs.js';

export interface Finished {
  info: ReleaseInfo;
  md5: IsoMd5Result;
  // The MD5 state just before the first embed area.
  resume: IsoMd5Checkpoint;
}

export interface Outside {
  ks: Area;
  site: Area;
  json: Area;
  // The first embed area's offset: everything before it is the same for every site.
  first: number;
  sha256: string;
}

function area(entries: IsoEntry[], path: string, length: number): Area {
  const entry = entries.find((e) => e.path === path);
  if (!entry || entry.extents.length !== 1 || entry.extents[0]!.length !== length) {
    throw new FyrError('INTERNAL', `${path} is missing from the written image or has the wrong size`);
  }
  return { path, offset: entry.extents[0]!.offset, length };
}

// Begun before the payload is copied and run a step at a time between the copy's own (the same
// thread, which mostly waits on the MD5 worker): where the areas landed, and the sha256 of the
// outside. Its bytes are final once xorriso's session and the graft are written; the copy
// writes file extents only, which the outside leaves out, and the zeros after each file are
// vouched for, not read. `entries`: the tree as checkPlacement walked it; `zeros`: the ranges
// fyr knows it left zeros (payloadGaps).
export async function hashOutside(
  path: string,
  entries: IsoEntry[],
  sizes: { ks: number; site: number; json: number },
  zeros: (offset: number, length: number) => boolean,
): Promise<Outside> {
  await setImmediate();
  const ks = area(entries, KS_PATH, sizes.ks);
  const site = area(entries, SITE_AREA_PATH, sizes.site);
  const json = area(entries, RELEASE_JSON_PATH, sizes.json);
  const first = Math.min(ks.offset, site.offset);
  // Everything before the first area must be the same for every site of the release.
  for (const e of entries) {
    if (e.directory || e.path === KS_PATH || e.path === SITE_AREA_PATH || e.path === RELEASE_JSON_PATH) continue;
    for (const x of e.extents) {
      if (x.length > 0 && x.offset + x.length > first)
        throw new FyrError('INTERNAL', `xorriso placed ${e.path} after the embed areas`);
    }
  }
  if (json.offset < first) throw new FyrError('INTERNAL', 'xorriso placed release.json before the embed areas');
  const fd = openSync(path, 'r');
  try {
    const ranges = outsideRanges(entries, first, PVD_OFFSET + APPDATA_OFFSET);
    const sha256 = await outsideSha256Stepwise(scratchReader(fd), ranges, zeros, () => setImmediate());
    if (sha256 === undefined) throw new FyrError('WRITE_FAILED', `${path}: ${new ImageEndedError(first).message}`);
    return { ks, site, json, first, sha256 };
  } finally {
    closeSync(fd);
  }
}

// `resume`: the MD5 state at the first area; `md5`: the worker that hashed up to it.
export async function finishImage(
  path: string,
  resume: IsoMd5Checkpoint,
  md5: { rest(): Promise<IsoMd5Result> },
  outside: Outside,
  info: ReleaseInfo,
  jsonSize: number,
): Promise<Finished> {
  if (resume.offset !== outside.first) throw new FyrError('INTERNAL', 'the MD5 checkpoint is not at the first area');
  const fd = openSync(path, 'r+');
  try {
    const { ks, site, json, sha256 } = outside;
    const final: ReleaseInfo = { ...info, embed: { kickstart: ks, site }, md5: resume, outside: { sha256 } };
    writeSync(fd, releaseJsonBytes(final, jsonSize), 0, jsonSize, json.offset);
    const result = await md5.rest();
    const field = formatAppData(result);
    writeSync(fd, field, 0, field.length, resume.appDataAt);
    return { info: final, md5: result, resume };
  } finally {
    closeSync(fd);
  }
}
