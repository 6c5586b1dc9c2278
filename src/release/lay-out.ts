// Everything of a release image but the payload's bytes (release.ts), on the copy of the base:
// fyr's part after it, xorriso's session on top, the graft, RHEL 10's GPT.
import { statSync } from 'node:fs';
import type { IsoEntry } from '../iso9660/read.js';
import type { LongWork, ProgressEvent } from '../util/progress.js';
import type { Base, BaseReader } from './base.js';
import type { BootFiles } from './boot-files.js';
import { dropSuperblockCopy, partitionOffset, writeGpt } from './el10-partitions.js';
import { LAST, type EmbedFiles } from './embed-files.js';
import { draftPayloadSession, type PayloadSession } from './payload-session.js';
import { checkPlacement, graft, writeDirs, writeImport } from './session.js';
import type { Source } from './sources.js';
import { writeImage } from './write-image.js';
import { bootArgs, releaseArgs } from './xorriso.js';

export interface Placed {
  session: PayloadSession;
  // The image's files: xorriso's tree (before the graft) and fyr's payload files.
  walked: IsoEntry[];
  // Where the first embed area starts, where the MD5 pad's padding block went, the image size.
  first: number;
  padAt: number | undefined;
  size: number;
}

// `temp` holds a copy of the base. After it: fyr's part (its directories, the payload's extents
// as holes), one xorriso session on top, fyr's directories grafted into xorriso's tree, RHEL
// 10's GPT.
export async function layOutImage(
  temp: string,
  base: Base,
  reader: BaseReader,
  boot: BootFiles,
  embed: EmbedFiles,
  sources: readonly Source[],
  o: { volumeId: string; epoch: number } & LongWork<ProgressEvent<'layout'>>,
): Promise<Placed> {
  // The base's second superblock for its partition offset describes the base's tree; GPT
  // partition 1 starts there, so a reader probing the partition would find that old tree.
  const offset = partitionOffset(base.report);
  if (offset > 0) dropSuperblockCopy(temp, offset);
  const draft = draftPayloadSession(
    reader.range,
    base.size,
    sources.map((f) => ({ isoPath: f.isoPath, size: f.size, mode: f.mode ?? statSync(f.disk).mode })),
    o.epoch,
  );
  writeImport(temp, draft);
  performance.mark("fyr: what xorriso loads written, fyr's part bounded");
  const el10 = base.layout.kind === 'el10';
  const args = releaseArgs({
    image: temp,
    volumeId: o.volumeId,
    boot: el10 ? bootArgs(base.report) : 'replay',
    updates: boot.updates,
    maps: embed.maps,
    last: LAST,
    ...(el10 ? { esp: boot.esp } : {}),
    epoch: o.epoch,
  });
  // fyr's tree is planned and its directories written while xorriso runs: neither reads or
  // writes the other's sectors, and xorriso's session starts at the bound of fyr's part. xorriso
  // looks whether its write has ended 100 ms after it starts in most runs (xorriso 1.5.4's
  // Xorriso_pacifier_loop sleeps while libburn's writer thread is still being spawned), then
  // once per pacifier interval; at the second fyr used to ask for, a write slowed by the
  // directories beside it cost up to a second, so the interval is 0.1 s (releaseArgs).
  // Measured, alternating 5 runs each: 850 to 1,020 ms before the first payload byte with the
  // directories beside, 960 to 1,260 with them before xorriso.
  const writing = writeImage(args, temp, {
    env: { SOURCE_DATE_EPOCH: String(o.epoch) },
    onProgress: o.onProgress,
    signal: o.signal,
  });
  writing.catch(() => {});
  let plan: PayloadSession;
  try {
    plan = draft.complete();
    performance.mark("fyr: fyr's payload planned (beside xorriso)");
    writeDirs(temp, plan);
  } catch (err) {
    // xorriso ends before the file it writes is removed.
    await writing.catch(() => {});
    throw err;
  }
  performance.mark("fyr: fyr's directories written (beside xorriso)");
  await writing;
  performance.mark('fyr: xorriso session (boot files, areas, trees)');
  const { walked, first, padAt } = checkPlacement(temp, plan);
  graft(temp, plan);
  performance.mark("fyr: fyr's directories grafted into xorriso's tree");
  if (el10) writeGpt(temp, `${o.volumeId}/${o.epoch}`);
  return { session: plan, walked, first, padAt, size: statSync(temp).size };
}
