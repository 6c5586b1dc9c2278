// fyr release: base installer ISO + content directory -> release ISO. The image is built in
// place, each byte written once: a copy of the base image; fyr's own tree of the payload after
// it (payload-session.ts); one session added by xorriso with the edited boot files, the embed
// areas and the boot equipment, into whose /fyr fyr's tree is grafted (lay-out.ts); then the
// payload copied into the extents fyr planned, its sha256 checked and the media-check MD5
// computed as it goes. Nothing is left at the output path unless the whole image is done.
// docs/release-iso.md tells the whole story.
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rename, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { FyrError, isFyrError } from '../errors.js';
import type { ReleaseInfo } from '../formats/release-json.js';
import { fileSha256 } from '../checksum/file-sha256.js';
import { publishWithChecksum } from '../checksum/sha256sum.js';
import { tempSibling } from '../util/fs.js';
import { checkOutputDir } from '../util/output-dir.js';
import { throwIfAborted, type LongWork, type ProgressEvent } from '../util/progress.js';
import { isSpaceError, room, writeError } from '../util/write-error.js';
import { bundledAgent } from './agent-bundle.js';
import { baseReader, checkBase } from './base.js';
import { SAFE_VOLID } from './boot-menu.js';
import { prepareBoot, staged } from './prepare.js';
import { loadContent, type Content, type ContentFile } from './content.js';
import { stageEmbedFiles } from './embed-files.js';
import { fillPayload, startImageMd5 } from './fill-payload.js';
import type { ImageMd5 } from './image-md5.js';
import { finishImage, hashOutside, type Outside } from './finish.js';
import { layOutImage, type Placed } from './lay-out.js';
import { payloadSources, releaseDraft, type Source } from './sources.js';
import { payloadGaps } from './session.js';

export interface ReleaseOptions extends LongWork<ReleaseEvent> {
  base: string;
  contentDir: string;
  output: string;
  force?: boolean;
  volumeId?: string;
  ksAreaBytes: number;
  siteAreaBytes: number;
  bootTimeoutSeconds: number;
  // SOURCE_DATE_EPOCH; by default the base image's creation date, so rebuilds match.
  epoch?: number;
  fyrVersion: string;
  // Also publish OUTPUT.sha256 (sha256sum format). The media-check field near the start holds
  // the MD5 of the whole image, so the sha256 can only start once the image is finished: one
  // more read of it, before it is renamed into place.
  sha256?: boolean;
}

// Steps (prepare, finish) carry a message; layout counts xorriso's percent, write the payload's bytes.
export type ReleaseEvent = ProgressEvent<'prepare' | 'layout' | 'write' | 'finish' | 'sha256'>;

export interface ReleaseResult {
  output: string;
  md5StateFile: string;
  size: number;
  info: ReleaseInfo;
  md5: string;
  // With sha256: the image's sha256 and the file that holds it.
  sha256?: { hex: string; file: string };
}

export const md5StatePath = (output: string) => `${output}.md5state.json`;

export async function buildRelease(o: ReleaseOptions): Promise<ReleaseResult> {
  const emit = o.onProgress ?? (() => {});
  const output = resolve(o.output);
  checkOutputDir(o.output);
  if (existsSync(output) && !o.force)
    throw new FyrError('OUTPUT_EXISTS', `${o.output} exists; pass --force to replace it`);
  if (o.volumeId !== undefined && !SAFE_VOLID.test(o.volumeId))
    throw new FyrError('USAGE', `--volid ${o.volumeId}: expected 1 to 32 letters, digits, ".", "_" or "-"`);
  const opened = checkBase(o.base);
  const staging = await mkdtemp(join(tmpdir(), 'fyr-release-')).catch((err: unknown) => {
    throw writeError(err, join(tmpdir(), 'fyr-release-*'));
  });
  const temp = tempSibling(output);
  const reader = baseReader(o.base);
  let needed = 0;
  let outside: Promise<Outside> | undefined;
  // The MD5 worker starts now, on the other core, and waits for the image.
  const md5 = startImageMd5();
  try {
    // The base is inspected and its boot menus edited (xorriso and mtools, on the other core),
    // copied to the output's temporary name (in the kernel), and fyr's own agent read and
    // hashed, while this thread lists and checks the content directory. The content's problems
    // are reported first. Its checksums, and a registry tree's links, are checked while the
    // files are copied (one read of each); a problem leaves nothing behind.
    const agent = bundledAgent();
    agent.catch(() => undefined);
    const [loaded, booted, copied] = await Promise.allSettled([
      loadContent(o.contentDir, { deferSmallFiles: true }),
      prepareBoot(o, opened, reader, staging),
      copyFile(o.base, temp).catch((err: unknown) => {
        throw writeError(err, temp);
      }),
    ]);
    if (loaded.status === 'rejected') throw loaded.reason;
    if (booted.status === 'rejected') throw booted.reason;
    if (copied.status === 'rejected') throw copied.reason;
    const content = loaded.value;
    const { base, epoch, volumeId, boot } = booted.value;
    performance.mark(
      'fyr: content manifest checked; beside it the base inspected, its boot files staged (mtools), the base copied',
    );
    const payloadBytes = content.files.reduce((n, f) => n + f.size, 0) + (content.tree?.bytes ?? 0);
    needed = base.size + payloadBytes + o.ksAreaBytes + o.siteAreaBytes;
    await checkSpace(output, needed);
    emit({
      phase: 'prepare',
      message: `${base.report.volumeId} (${base.layout.kind} layout) -> volume id ${volumeId}`,
    });
    const { embed, sources } = await staged(staging, base, async () => {
      const { sources, agent: carried } = await payloadSources(content, o.fyrVersion, agent);
      const embed = await stageEmbedFiles(
        staging,
        releaseDraft(o, content, base, volumeId, epoch, carried),
        o.ksAreaBytes,
        o.siteAreaBytes,
      );
      return { embed, sources };
    });
    performance.mark('fyr: embed areas staged');
    const placed = await layOutImage(temp, base, reader, boot, embed, sources, {
      volumeId,
      epoch,
      signal: o.signal,
      onProgress: emit,
    });
    // The outside is hashed between the copy's steps once the copy is ahead of the MD5 (before,
    // it would hold back pieces the MD5 waits for); the MD5 worker goes on past the checkpoint
    // once release.json is written.
    const hashTheOutside = () => {
      outside ??= hashOutside(temp, placed.walked, embed.sizes, payloadGaps(placed.session));
      outside.catch(() => {});
    };
    const filled = await fillSources(temp, placed, sources, content, { ...o, ahead: hashTheOutside }, md5);
    hashTheOutside();
    performance.mark('fyr: payload read, sha256-checked, written (O_DIRECT) and MD5-hashed up to the areas');
    emit({ phase: 'finish', message: 'recording the embed areas and implanting the media-check MD5' });
    const finished = await finishImage(
      temp,
      filled.checkpoint,
      filled.md5,
      await outside!,
      embed.info,
      embed.sizes.json,
    ).finally(() => filled.md5.stop());
    performance.mark('fyr: areas recorded, MD5 finished over the areas and release.json, implanted');
    const stateFile = md5StatePath(output);
    const state = {
      format: 'fyr-md5state/1',
      iso: basename(output),
      volumeId,
      size: placed.size,
      md5: finished.md5.md5,
      resume: finished.resume,
    };
    const stateText = `${JSON.stringify(state, null, 2)}\n`;
    await writeFile(`${temp}.md5state`, stateText).catch((err: unknown) => {
      throw writeError(err, stateFile, Buffer.byteLength(stateText));
    });
    const sha256 =
      o.sha256 === true
        ? await fileSha256(temp, { size: placed.size, signal: o.signal, onProgress: o.onProgress })
        : undefined;
    if (sha256 !== undefined) performance.mark('fyr: sha256 of the finished image (one more read)');
    throwIfAborted(o.signal, 'the image was complete');
    let sumFile = '';
    if (sha256 === undefined) await rename(temp, output);
    else sumFile = await publishWithChecksum(temp, output, sha256);
    await rename(`${temp}.md5state`, stateFile);
    performance.mark('fyr: renamed into place');
    return {
      output,
      md5StateFile: stateFile,
      size: placed.size,
      info: finished.info,
      md5: finished.md5.md5,
      ...(sha256 !== undefined ? { sha256: { hex: sha256, file: sumFile } } : {}),
    };
  } catch (err) {
    // The image's own writes name fyr's hidden temporary file: say it as the user gave it.
    if (isSpaceError(err) && (!isFyrError(err) || err.message.includes(temp)))
      throw new FyrError('NO_SPACE', `no space left writing ${o.output}${room(dirname(output), needed)}`, {
        cause: err,
      });
    throw err;
  } finally {
    reader.close();
    // Its reads end before the file goes (a failed copy leaves it running).
    await outside?.catch(() => {});
    await md5.stop();
    await rm(staging, { recursive: true, force: true });
    await rm(temp, { force: true });
    await rm(`${temp}.md5state`, { force: true });
  }
}

async function checkSpace(output: string, needed: number): Promise<void> {
  const fs = await statfs(dirname(output)).catch(() => undefined);
  if (fs && fs.bavail * fs.bsize < needed)
    throw new FyrError(
      'NO_SPACE',
      `${dirname(output)} has ${fs.bavail * fs.bsize} bytes free; the release needs about ${needed}`,
    );
}

// The payload copied into its extents, each file's sha256 checked, the tree's check finished
// with the files it deferred (its links, read here once); returns the media-check MD5 state at
// the first embed area and the MD5 worker, still running, for the bytes after it. A mismatch is
// the content's CONTENT_INVALID (or, for fyr's own agent, AGENT_MISSING: it changed while the
// release was built).
async function fillSources(
  temp: string,
  placed: Placed,
  sources: readonly Source[],
  content: Content,
  o: ReleaseOptions & { ahead: () => void },
  md5: ImageMd5,
) {
  const filled = await fillPayload(
    { path: temp, stopAt: placed.first, padAt: placed.padAt },
    sources.map((f, i) => ({
      source: f.disk,
      sha256: f.sha256,
      keep: f.deferred?.keep ?? false,
      size: f.size,
      extents: placed.session.files[i]!.extents,
    })),
    { onProgress: o.onProgress, signal: o.signal, md5, ahead: o.ahead },
  );
  if (filled.mismatches.length === 0) {
    const read = new Map([...filled.read].map(([i, r]) => [sources[i]!.deferred!.path, r]));
    const problem = content.finishTree(read);
    if (problem) {
      await filled.md5!.stop();
      throw problem;
    }
    return { checkpoint: filled.checkpoint!, md5: filled.md5! };
  }
  const blobs = filled.mismatches
    .map((m) => ({ source: sources[m.index]!, actual: m.actual }))
    .filter((m) => m.source.treePath !== undefined);
  if (blobs.length > 0)
    throw content.blobError(
      blobs.map((b) => ({ path: b.source.treePath!, actual: b.actual, expected: b.source.sha256! })),
    );
  const found = filled.mismatches.map((m) => ({ file: sources[m.index]!.entry, actual: m.actual }));
  const listed = found.filter((m): m is { file: ContentFile; actual: string } => m.file !== undefined);
  if (listed.length === 0)
    throw new FyrError(
      'AGENT_MISSING',
      `${sources.at(-1)!.disk} changed while the release was built; run \`make build\` again`,
    );
  throw content.checksumError(listed);
}
