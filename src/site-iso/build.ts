// fyr build: a site spliced into a copy of a release image. The release is copied once (a
// reflink where the filesystem can, else the kernel's copy), then the areas and the media-check
// field are written. The payload is never read: the MD5 is finished from the state release.json
// saved before the areas. The site may still be in the making (validated, rendered, sealed)
// while the copy runs: the kernel copies on one core, the site is made on the other.
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
import { fileSha256 } from '../checksum/file-sha256.js';
import { publishWithChecksum } from '../checksum/sha256sum.js';
import { followHash } from './follow-hash.js';
import { openReleaseImage, type ReleaseImage } from './release-image.js';
import {
  CHECK_IT,
  checkOutside,
  fastPatches,
  sitePatches,
  writePatches,
  type SiteContent,
  type SpliceResult,
} from './splice.js';

export interface BuildOptions extends LongWork<ProgressEvent<'copy'>> {
  release: string;
  output: string;
  force?: boolean;
  // The site, or its promise: then the copy starts at once and the site is awaited beside it
  // (a site that does not fit the areas is refused once the copy, which cannot be stopped
  // halfway, has ended).
  content: SiteContent | Promise<SiteContent>;
  // While copying (not for a reflink), hash the copy on another core and compare it with the
  // release's saved MD5 state, so a changed payload byte is caught. Costs the MD5 of the whole
  // image (about 500 MB/s), so it is asked for, not the default.
  verify?: boolean;
  // Also publish OUTPUT.sha256 (sha256sum format): the release is hashed with the site's bytes
  // in place while the kernel copies it, on this thread beside the copy's.
  sha256?: boolean;
}

export interface BuildResult extends SpliceResult {
  // With sha256: the output's sha256 and the file that holds it.
  sha256?: { hex: string; file: string };
}

export async function buildSiteIso(o: BuildOptions): Promise<BuildResult> {
  const output = resolve(o.output);
  checkOutputDir(o.output);
  if (existsSync(output)) {
    if (realpathSync(output) === realpathSync(o.release))
      throw new FyrError('USAGE', `-o ${o.output} is the release ISO itself; to change it in place use fyr customize`);
    if (!o.force) throw new FyrError('OUTPUT_EXISTS', `${o.output} exists; pass --force to replace it`);
  }
  const image = openReleaseImage(o.release);
  let imageOpen = true;
  // The release outside its payload against its recorded sum (megabytes, read beside the
  // copy), then the site's patches and the MD5 finished over them.
  const patchesFor = (content: SiteContent): { patches: Patch[]; md5: IsoMd5Result } => {
    try {
      checkOutside(image);
      return fastPatches(image, content, CHECK_IT);
    } finally {
      image.close();
      imageOpen = false;
      performance.mark("fyr: release checked outside the payload, the site's areas and MD5 computed");
    }
  };
  // A site given ready is checked against the areas before anything is written; its MD5 is
  // finished below, on this thread while the kernel copies (megabytes through fyr's MD5, a
  // tenth to a third of a second in a fresh process). A promise is handled from here on
  // (awaited below), so it may fail while the copy runs.
  if (o.content instanceof Promise) o.content.catch(() => {});
  else {
    try {
      sitePatches(image.info.embed, o.content);
    } catch (err) {
      image.close();
      throw err;
    }
  }
  let computed: { patches: Patch[]; md5: IsoMd5Result } | undefined;
  let copying: Promise<'reflink' | 'copy'> | undefined;
  let follower: ReturnType<typeof followHash> | undefined;
  let hashing: ReturnType<typeof outputSha256> | undefined;
  const temp = tempSibling(output);
  try {
    const fs = await statfs(dirname(output)).catch(() => undefined);
    if (fs && fs.bavail * fs.bsize < image.size)
      throw new FyrError(
        'NO_SPACE',
        `${dirname(output)} has ${fs.bavail * fs.bsize} bytes free; the site ISO needs ${image.size}`,
      );
    // The kernel has the copy before this thread goes on to hash (the copy's first step, an
    // attempted reflink and its cleanup, needs this thread's event loop).
    let begun = () => {};
    const started = new Promise<void>((resolve) => (begun = resolve));
    copying = copyImage(o.release, temp, image.size, {
      onProgress: (e) => (hashing?.onCopy ?? o.onProgress)?.(e),
      signal: o.signal,
      beforeCopy: () => {
        if (o.verify === true) follower = followHash(temp);
        begun();
      },
    });
    copying.then(begun, begun);
    await started;
    computed = patchesFor(await o.content);
    if (o.sha256 === true) hashing = outputSha256(o, computed.patches, image.size);
    const copied = await copying;
    performance.mark(copied === 'reflink' ? 'fyr: reflink of the release' : 'fyr: copy of the release (kernel)');
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
    performance.mark('fyr: areas and MD5 field written');
    const sha256 = hashing && (await hashing.hex);
    if (hashing) performance.mark('fyr: waiting for the sha256 of the output');
    throwIfAborted(o.signal, 'the site ISO was complete');
    let sumFile = '';
    if (sha256 === undefined) await rename(temp, output);
    else sumFile = await publishWithChecksum(temp, output, sha256);
    performance.mark('fyr: renamed into place');
    return {
      ...(sha256 !== undefined ? { sha256: { hex: sha256, file: sumFile } } : {}),
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
    if (imageOpen) image.close();
    // A copy in the kernel cannot be stopped halfway: it ends before its file is removed.
    await copying?.catch(() => undefined);
    await follower?.stop();
    await hashing?.stop();
    await rm(temp, { force: true });
  }
}

// The output's sha256 from the release with the patches in place, read beside the copy (the
// same pages); progress is the slower of the two.
function outputSha256(o: BuildOptions, patches: readonly Patch[], size: number) {
  const stop = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, stop.signal]) : stop.signal;
  let copied = 0;
  let hashed = 0;
  const report = () => o.onProgress?.({ phase: 'copy', done: Math.min(copied, hashed), total: size });
  const hex = fileSha256(o.release, {
    size,
    patches,
    signal,
    onProgress: (e) => void ((hashed = e.done ?? 0), report()),
  });
  hex.catch(() => {});
  return {
    hex,
    onCopy: (e: ProgressEvent<'copy'>) => void ((copied = e.done ?? 0), report()),
    stop: async () => {
      stop.abort();
      await hex.catch(() => undefined);
    },
  };
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
