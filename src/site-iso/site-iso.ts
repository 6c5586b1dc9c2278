// fyr build and fyr customize: a site spliced into a release image. Build copies the release
// once (a reflink where the filesystem can, else large sequential reads and writes) and writes
// the areas and the media-check field; customize writes only those, in place. Neither reads the
// payload: the MD5 is finished from the state release.json saved before the areas.
import { closeSync, constants, copyFileSync, existsSync, openSync, realpathSync, statSync } from 'node:fs';
import { copyFile, rename, rm, statfs } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { FyrError } from '../errors.js';
import { releaseJsonBytes, type ReleaseInfo } from '../formats/release-json.js';
import { fileReader } from '../util/fs.js';
import { followHash } from './follow-hash.js';
import { appDataPatch, feed, finishFromState, stateMatchesImplant, type Patch } from '../iso9660/media-check.js';
import type { ReadAt } from '../iso9660/read.js';
import { IsoMd5Hasher, type IsoMd5Checkpoint, type IsoMd5Result } from '../iso9660/isomd5.js';
import { openReleaseImage, type ReleaseImage } from './release-image.js';
import { releaseInvalidIfEnded, sitePatches, writePatches, type SiteContent } from './splice.js';

export interface SpliceResult {
  output: string;
  size: number;
  md5: IsoMd5Result;
  info: ReleaseInfo;
  // Bytes written besides the copy: the areas, release.json when re-hashed, the PVD field.
  patched: number;
  copied: 'reflink' | 'copy' | 'none';
}

function mismatch(path: string, fix: string): FyrError {
  return new FyrError('MD5_STATE_MISMATCH', `${path}: the MD5 state saved in release.json does not give the implanted media-check MD5; the image was changed after fyr wrote it`, { details: [fix] });
}

// The patches of a site over an image whose saved state is trusted, and the MD5 they give.
export function fastPatches(image: ReleaseImage, content: SiteContent): { patches: Patch[]; md5: IsoMd5Result } {
  const patches = sitePatches(image.info.embed, content);
  const md5 = finishFromState(image.read, image.layout, image.resume!, patches);
  return { patches: [...patches, appDataPatch(image.layout, md5)], md5 };
}

export interface BuildOptions {
  release: string;
  output: string;
  force?: boolean;
  content: SiteContent;
  signal?: AbortSignal;
  onCopy?: (bytes: number, total: number) => void;
  // While copying (not for a reflink), hash the copy on another core and compare it with the
  // release's saved MD5 state, so a changed payload byte is caught. Costs the MD5 of the whole
  // image (about 500 MB/s), so it is asked for, not the default.
  verify?: boolean;
}

export async function buildSiteIso(o: BuildOptions): Promise<SpliceResult> {
  const output = resolve(o.output);
  if (existsSync(output)) {
    if (realpathSync(output) === realpathSync(o.release)) throw new FyrError('USAGE', `-o ${o.output} is the release ISO itself; to change it in place use fyr customize`);
    if (!o.force) throw new FyrError('OUTPUT_EXISTS', `${o.output} exists; pass --force to replace it`);
  }
  const image = openReleaseImage(o.release);
  let computed: { patches: Patch[]; md5: IsoMd5Result };
  try {
    if (!stateMatchesImplant(image)) throw mismatch(o.release, 'Check it with fyr inspect --verify, or build the release again.');
    computed = fastPatches(image, o.content);
  } finally {
    image.close();
  }
  const fs = await statfs(dirname(output)).catch(() => undefined);
  if (fs && fs.bavail * fs.bsize < image.size) throw new FyrError('NO_SPACE', `${dirname(output)} has ${fs.bavail * fs.bsize} bytes free; the site ISO needs ${image.size}`);
  const temp = join(dirname(output), `.${basename(output)}.fyr-tmp-${process.pid}`);
  let follower: ReturnType<typeof followHash> | undefined;
  try {
    const copied = await copyImage(o.release, temp, image.size, {
      ...(o.onCopy ? { onBytes: o.onCopy } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      beforeCopy: () => void (o.verify === true && (follower = followHash(temp))),
    });
    const fd = openSync(temp, 'r+');
    try {
      if (follower && copied === 'copy') {
        follower.end(image.size);
        checkCopy(o.release, image, (await follower.result).checkpoints, fileReader(fd));
      }
      writePatches(fd, computed.patches);
    } finally {
      closeSync(fd);
    }
    if (o.signal?.aborted) throw new FyrError('INTERRUPTED', 'stopped before the site ISO was complete');
    await rename(temp, output);
    return { output, size: image.size, md5: computed.md5, info: image.info, patched: computed.patches.reduce((n, p) => n + p.data.length, 0), copied };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOSPC' || e.code === 'EDQUOT') throw new FyrError('NO_SPACE', `no space left writing ${o.output}`, { cause: err });
    if (!(err instanceof FyrError) && typeof e.code === 'string') throw new FyrError('WRITE_FAILED', `cannot write ${o.output}: ${e.code}`, { cause: err });
    throw err;
  } finally {
    await follower?.stop();
    await rm(temp, { force: true });
  }
}

// The copy, hashed up to the first area, must reach the state the release saved there.
function checkCopy(release: string, image: ReleaseImage, checkpoints: readonly IsoMd5Checkpoint[], read: ReadAt): void {
  const target = image.resume!;
  const from = [...checkpoints].reverse().find((c) => c.offset <= target.offset);
  const hasher = new IsoMd5Hasher(image.layout, from);
  feed(hasher, read, target.offset, []);
  const reached = hasher.checkpoint();
  if (reached.md5.words !== target.md5.words || reached.fragmentSums !== target.fragmentSums) {
    throw new FyrError('VERIFY_FAILED', `${release}: its content differs from what fyr release wrote (the media-check MD5 before the embed areas does not match the saved state)`, {
      details: ['fyr inspect --verify names the files that changed; build the release again or copy it from a good source.'],
    });
  }
}

export interface CopyOptions {
  onBytes?: (bytes: number, total: number) => void;
  signal?: AbortSignal;
  // Called once the copy is known not to be a reflink, just before the first byte is written.
  beforeCopy?: () => void;
}

// In the kernel, as cp does it: a reflink where the filesystem shares blocks (XFS, Btrfs:
// instant), else copy_file_range (libuv's copyfile). Progress by watching the copy grow; a
// copy in the kernel cannot be stopped halfway, so Ctrl-C takes effect when it ends.
export async function copyImage(from: string, to: string, size: number, { onBytes, signal, beforeCopy }: CopyOptions = {}): Promise<'reflink' | 'copy'> {
  try {
    copyFileSync(from, to, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE_FORCE);
    onBytes?.(size, size);
    return 'reflink';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOENT' || code === 'EACCES') throw err;
    await rm(to, { force: true });
  }
  beforeCopy?.();
  const watch = setInterval(() => {
    const copied = statSync(to, { throwIfNoEntry: false })?.size;
    if (copied !== undefined) onBytes?.(copied, size);
  }, 250);
  try {
    await copyFile(from, to, constants.COPYFILE_EXCL);
  } finally {
    clearInterval(watch);
  }
  onBytes?.(size, size);
  if (signal?.aborted) throw new FyrError('INTERRUPTED', 'stopped before the site ISO was complete');
  return 'copy';
}

export interface CustomizeOptions {
  iso: string;
  content: SiteContent;
  // Re-hash the whole image instead of trusting the saved state (and save a fresh one).
  rehash?: boolean;
  onHash?: (bytes: number, total: number) => void;
}

export function customizeIso(o: CustomizeOptions): SpliceResult {
  const image = openReleaseImage(o.iso, 'r+');
  try {
    let patches: Patch[];
    let md5: IsoMd5Result;
    let info = image.info;
    if (!o.rehash) {
      if (!stateMatchesImplant(image)) throw mismatch(o.iso, `Pass --rehash to re-hash the whole image (${(image.size / 1024 ** 3).toFixed(1)} GiB) and save a fresh state.`);
      ({ patches, md5 } = fastPatches(image, o.content));
    } else {
      const areas = sitePatches(image.info.embed, o.content);
      const hasher = new IsoMd5Hasher(image.layout);
      const total = image.layout.hashedLength;
      feed(hasher, image.read, image.areas[0]!.offset, areas, (n) => o.onHash?.(n, total));
      info = { ...image.info, md5: hasher.checkpoint() };
      const json = { offset: image.releaseJson.offset, data: releaseJsonBytes(info, image.releaseJson.length) };
      feed(hasher, image.read, total, [...areas, json], (n) => o.onHash?.(n, total));
      md5 = hasher.result();
      patches = [...areas, json, appDataPatch(image.layout, md5)];
    }
    // Not fsynced: the file may still hold gigabytes of dirty pages from the copy that made it,
    // and fsync would flush them all (as for build and release, run sync before pulling power).
    writePatches(image.fd, patches);
    return { output: resolve(o.iso), size: image.size, md5, info, patched: patches.reduce((n, p) => n + p.data.length, 0), copied: 'none' };
  } finally {
    image.close();
  }
}

// The bytes that turn a release (or site) ISO into this site's ISO, for fyr flash --site.
export function sitePatchesFor(iso: string, content: SiteContent): { patches: Patch[]; md5: IsoMd5Result; info: ReleaseInfo } {
  const image = openReleaseImage(iso);
  try {
    if (!stateMatchesImplant(image)) throw mismatch(iso, 'Check it with fyr inspect --verify, or build the release again.');
    return { ...fastPatches(image, content), info: image.info };
  } finally {
    image.close();
  }
}
