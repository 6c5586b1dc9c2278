// fyr build: a site spliced into a copy of a release image. The release is copied once (a
// reflink where the filesystem can, else the kernel's copy), then the areas and the media-check
// field are written. The payload is never read: the MD5 is finished from the state release.json
// saved before the areas.
import { closeSync, constants, copyFileSync, existsSync, openSync, realpathSync, statSync } from 'node:fs';
import { copyFile, rename, rm, statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { FyrError, isFyrError } from '../errors.js';
import { feed, type Patch } from '../iso9660/media-check.js';
import { IsoMd5Hasher, type IsoMd5Checkpoint, type IsoMd5Result } from '../iso9660/isomd5.js';
import type { ReadAt } from '../iso9660/read.js';
import { fileReader, tempSibling } from '../util/fs.js';
import { checkOutputDir } from '../util/output-dir.js';
import { throwIfAborted, type LongWork, type ProgressEvent } from '../util/progress.js';
import { writeError } from '../util/write-error.js';
import { followHash } from './follow-hash.js';
import { openReleaseImage, type ReleaseImage } from './release-image.js';
import { CHECK_IT, checkOutside, fastPatches, writePatches, type SiteContent, type SpliceResult } from './splice.js';

export interface BuildOptions extends LongWork<ProgressEvent<'copy'>> {
  release: string;
  output: string;
  force?: boolean;
  content: SiteContent;
  // While copying (not for a reflink), hash the copy on another core and compare it with the
  // release's saved MD5 state, so a changed payload byte is caught. Costs the MD5 of the whole
  // image (about 500 MB/s), so it is asked for, not the default.
  verify?: boolean;
}

export async function buildSiteIso(o: BuildOptions): Promise<SpliceResult> {
  const output = resolve(o.output);
  checkOutputDir(o.output);
  if (existsSync(output)) {
    if (realpathSync(output) === realpathSync(o.release))
      throw new FyrError('USAGE', `-o ${o.output} is the release ISO itself; to change it in place use fyr customize`);
    if (!o.force) throw new FyrError('OUTPUT_EXISTS', `${o.output} exists; pass --force to replace it`);
  }
  const image = openReleaseImage(o.release);
  let computed: { patches: Patch[]; md5: IsoMd5Result };
  try {
    computed = fastPatches(image, o.content, CHECK_IT);
  } finally {
    image.close();
  }
  const fs = await statfs(dirname(output)).catch(() => undefined);
  if (fs && fs.bavail * fs.bsize < image.size)
    throw new FyrError(
      'NO_SPACE',
      `${dirname(output)} has ${fs.bavail * fs.bsize} bytes free; the site ISO needs ${image.size}`,
    );
  const temp = tempSibling(output);
  let follower: ReturnType<typeof followHash> | undefined;
  try {
    const copied = await copyImage(o.release, temp, image.size, {
      onProgress: o.onProgress,
      signal: o.signal,
      beforeCopy: () => void (o.verify === true && (follower = followHash(temp))),
    });
    const fd = openSync(temp, 'r+');
    try {
      // Megabytes of the copy, fresh in the page cache: the release outside its payload.
      checkOutside(image, fileReader(fd));
      if (follower && copied === 'copy') {
        follower.end(image.size);
        checkCopy(o.release, image, (await follower.result).checkpoints, fileReader(fd));
      }
      writePatches(fd, computed.patches);
    } finally {
      closeSync(fd);
    }
    throwIfAborted(o.signal, 'the site ISO was complete');
    await rename(temp, output);
    return {
      output,
      size: image.size,
      md5: computed.md5,
      info: image.info,
      patched: computed.patches.reduce((n, p) => n + p.data.length, 0),
      copied,
    };
  } catch (err) {
    throw isFyrError(err) || typeof (err as NodeJS.ErrnoException).code !== 'string'
      ? err
      : writeError(err, o.output, image.size);
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
    throw new FyrError(
      'VERIFY_FAILED',
      `${release}: its content differs from what fyr release wrote (the media-check MD5 before the embed areas does not match the saved state)`,
      {
        details: [
          'fyr inspect --verify names the files that changed; build the release again or copy it from a good source.',
        ],
      },
    );
  }
}

export interface CopyOptions extends LongWork<ProgressEvent<'copy'>> {
  // Called once the copy is known not to be a reflink, just before the first byte is written.
  beforeCopy?: () => void;
}

// In the kernel, as cp does it: a reflink where the filesystem shares blocks (XFS, Btrfs:
// instant), else copy_file_range (libuv's copyfile). Progress by watching the copy grow; a
// copy in the kernel cannot be stopped halfway, so Ctrl-C takes effect when it ends.
export async function copyImage(
  from: string,
  to: string,
  size: number,
  { onProgress, signal, beforeCopy }: CopyOptions = {},
): Promise<'reflink' | 'copy'> {
  const report = (done: number) => onProgress?.({ phase: 'copy', done, total: size });
  try {
    copyFileSync(from, to, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE_FORCE);
    report(size);
    return 'reflink';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOENT' || code === 'EACCES') throw err;
    await rm(to, { force: true });
  }
  beforeCopy?.();
  const watch = setInterval(() => {
    const copied = statSync(to, { throwIfNoEntry: false })?.size;
    if (copied !== undefined) report(copied);
  }, 250);
  try {
    await copyFile(from, to, constants.COPYFILE_EXCL);
  } finally {
    clearInterval(watch);
  }
  report(size);
  throwIfAborted(signal, 'the site ISO was complete');
  return 'copy';
}
