// fyr release: base installer ISO + content directory -> release ISO. The image is built in
// place, each byte written once: a copy of the base image; fyr's own tree of the payload after
// it (payload-session.ts); one session added by xorriso with the edited boot files, the embed
// areas and the boot equipment; then the payload copied into the extents fyr planned, its
// sha256 checked and the media-check MD5 computed as it goes. Nothing is left at the output
// path unless the whole image is done.
import { closeSync, existsSync, openSync, statSync, writeFileSync } from 'node:fs';
import { copyFile, mkdtemp, rename, rm, statfs, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { FyrError } from '../errors.js';
import { bundledAgent } from './agent-bundle.js';
import { editGrub, editIsolinux, SAFE_VOLID, safeVolumeId } from './boot-menu.js';
import { loadContent, type ContentFile } from './content.js';
import { AGENT_PATH, KS_PATH, MD5_PAD_PATH, MD5_PAD_SIZE, PAYLOAD_DIR, RELEASE_JSON_PATH, SITE_AREA_PATH } from '../formats/media-layout.js';
import { md5PadFile, placeholderKickstart, roundToSector } from '../formats/embed-areas.js';
import { RELEASE_FORMAT, releaseJsonBytes, releaseJsonSize, type ReleaseInfo } from '../formats/release-json.js';
import { isEspMenu, listEsp, readEspFile, writeEspFile } from './esp.js';
import { runTool } from '../util/tools.js';
import { fillPayload } from './fill-payload.js';
import { finishImage } from './finish.js';
import { fileReader, tempSibling } from '../util/fs.js';
import type { LongWork, ProgressEvent } from '../util/progress.js';
import { findInIso, readPrimaryVolume, type PrimaryVolume } from '../iso9660/read.js';
import { planPayloadSession } from './payload-session.js';
import { checkPlacement, dropSuperblockCopy, partitionOffset, writeGpt, writeSession } from './release-steps.js';
import { writeError } from '../util/write-error.js';
import { writeImage } from './write-image.js';
import { bootArgs, detectLayout, inspectArgs, parseInspect, releaseArgs } from './xorriso.js';


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
}

// Steps (prepare, finish) carry a message; layout counts xorriso's percent, write the payload's bytes.
export type ReleaseEvent = ProgressEvent<'prepare' | 'layout' | 'write' | 'finish'>;

export interface ReleaseResult {
  output: string;
  md5StateFile: string;
  size: number;
  info: ReleaseInfo;
  md5: string;
}

const MENUS = ['/isolinux/isolinux.cfg', '/EFI/BOOT/grub.cfg', '/EFI/BOOT/BOOT.conf', '/boot/grub2/grub.cfg'];

export const md5StatePath = (output: string) => `${output}.md5state.json`;

function epochOf(volume: PrimaryVolume): number {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})/.exec(volume.created);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) / 1000 : 0;
}

function openBase(base: string): { volume: PrimaryVolume; size: number } {
  let fd: number;
  try {
    fd = openSync(base, 'r');
  } catch (err) {
    throw new FyrError('BASE_ISO_INVALID', `cannot open ${base}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  try {
    const size = statSync(base).size;
    let volume: PrimaryVolume;
    try {
      volume = readPrimaryVolume(fileReader(fd));
    } catch {
      throw new FyrError('BASE_ISO_INVALID', `${base} is not an ISO 9660 image (no primary volume descriptor at sector 16)`);
    }
    if (size < volume.volumeBytes) {
      throw new FyrError('BASE_ISO_INVALID', `${base} is truncated: its volume descriptor says ${volume.volumeBytes} bytes, the file has ${size}`, { details: ['Download or copy it again and compare its checksum.'] });
    }
    return { volume, size };
  } finally {
    closeSync(fd);
  }
}

// The small files fyr edits (menus, the ESP), read straight from the base image.
function baseReader(base: string) {
  const fd = openSync(base, 'r');
  const read = fileReader(fd);
  return {
    file(path: string): Buffer {
      const entry = findInIso(read, path);
      if (!entry || entry.directory) throw new FyrError('BASE_ISO_INVALID', `${base} has no ${path}`);
      return Buffer.concat(entry.extents.map((x) => read(x.offset, x.length)));
    },
    range: read,
    close: () => closeSync(fd),
  };
}

export async function buildRelease(o: ReleaseOptions): Promise<ReleaseResult> {
  const emit = o.onProgress ?? (() => {});
  const output = resolve(o.output);
  if (existsSync(output) && !o.force) throw new FyrError('OUTPUT_EXISTS', `${o.output} exists; pass --force to replace it`);
  if (o.volumeId !== undefined && !SAFE_VOLID.test(o.volumeId)) throw new FyrError('USAGE', `--volid ${o.volumeId}: expected 1 to 32 letters, digits, ".", "_" or "-"`);
  const { volume, size: baseSize } = openBase(o.base);
  // Checksums are checked while the files are copied (one read of each); a mismatch leaves
  // nothing behind.
  const content = await loadContent(o.contentDir);
  const report = parseInspect((await runTool('xorriso', inspectArgs(o.base))).stdout);
  const layout = detectLayout(report);
  if ('found' in layout) {
    throw new FyrError('BASE_ISO_INVALID', `${o.base}: boot layout not recognised (${layout.found})`, {
      details: ['fyr knows RHEL 9 (isolinux, images/efiboot.img in the tree) and RHEL 10 / Fedora 37+ (GRUB images/eltorito.img, the ESP as appended partition 2).'],
    });
  }
  const epoch = o.epoch ?? epochOf(volume);
  const baseVolumeId = report.volumeId || volume.volumeId;
  const volumeId = o.volumeId ?? safeVolumeId(baseVolumeId);
  const needed = baseSize + content.files.reduce((n, f) => n + f.size, 0) + o.ksAreaBytes + o.siteAreaBytes;
  const fs = await statfs(dirname(output)).catch(() => undefined);
  if (fs && fs.bavail * fs.bsize < needed) {
    throw new FyrError('NO_SPACE', `${dirname(output)} has ${fs.bavail * fs.bsize} bytes free; the release needs about ${needed}`);
  }
  const staging = await mkdtemp(join(tmpdir(), 'fyr-release-'));
  const temp = tempSibling(output);
  const reader = baseReader(o.base);
  try {
    emit({ phase: 'prepare', message: `${report.volumeId} (${layout.kind} layout) -> volume id ${volumeId}` });
    const edit = { oldLabel: baseVolumeId, newLabel: volumeId, ksPath: KS_PATH, timeoutSeconds: o.bootTimeoutSeconds };
    const updates: Array<[string, string]> = [];
    for (const menu of MENUS.filter((m) => report.files.includes(m))) {
      const text = reader.file(menu).toString('utf8');
      const edited = menu.startsWith('/isolinux/') ? editIsolinux(text, edit) : editGrub(text, edit);
      if (edited.installEntries === 0) throw new FyrError('BASE_ISO_INVALID', `${o.base}: ${menu} has no installer entry (no inst.stage2= on a kernel line)`);
      const disk = join(staging, menu.replace(/\//g, '_'));
      writeFileSync(disk, edited.text);
      updates.push([disk, menu]);
    }
    if (updates.length === 0) throw new FyrError('BASE_ISO_INVALID', `${o.base} has none of the boot menus fyr edits (${MENUS.join(', ')})`);
    const esp = join(staging, 'efiboot.img');
    writeFileSync(esp, layout.kind === 'el9' ? reader.file(layout.efiImage) : reader.range(layout.esp.offset, layout.esp.length));
    await editEsp(o.base, esp, staging, edit, epoch);
    if (layout.kind === 'el9') updates.push([esp, layout.efiImage]);

    const ksSize = roundToSector(o.ksAreaBytes);
    const siteSize = roundToSector(o.siteAreaBytes);
    await writeFile(join(staging, 'ks.cfg'), placeholderKickstart(ksSize, content.release.name));
    // An all-zero tar is a valid empty archive; sparse, so nothing is written to reserve it.
    await writeFile(join(staging, 'site.tar'), '');
    await truncate(join(staging, 'site.tar'), siteSize);
    // The agent built with fyr (dist/agent/fyr-agent.mjs), unless the content directory brings its own.
    const agentFile = content.files.find((f) => f.role === 'agent');
    const agent = agentFile ? { disk: agentFile.absolute, version: 'content', size: agentFile.size, sha256: agentFile.sha256 } : { ...(await bundledAgent()), version: o.fyrVersion };
    const info: ReleaseInfo = {
      format: RELEASE_FORMAT,
      fyr: o.fyrVersion,
      release: content.release,
      volumeId,
      base: { volumeId: baseVolumeId, layout: layout.kind, size: baseSize },
      sourceDateEpoch: epoch,
      payload: content.files.filter((f) => f.role !== 'agent').map((f) => ({ path: `${PAYLOAD_DIR}/${f.path}`, role: f.role, size: f.size, sha256: f.sha256 })),
      agent: { path: AGENT_PATH, version: agent.version, size: agent.size, sha256: agent.sha256 },
      embed: { kickstart: { path: KS_PATH, offset: 0, length: ksSize }, site: { path: SITE_AREA_PATH, offset: 0, length: siteSize } },
      md5: null,
    };
    const jsonSize = releaseJsonSize(info);
    await writeFile(join(staging, 'release.json'), releaseJsonBytes(info, jsonSize));

    const payload = content.files.filter((f) => f.role !== 'agent');
    // Each file laid out by fyr, with the manifest entry that vouches for it (none for the bundled agent).
    const sources = [
      ...payload.map((f) => ({ disk: f.absolute, isoPath: `${PAYLOAD_DIR}/${f.path}`, size: f.size, sha256: f.sha256, entry: f as ContentFile | undefined })),
      { disk: agent.disk, isoPath: AGENT_PATH, size: agent.size, sha256: agent.sha256, entry: agentFile },
    ];
    await writeFile(join(staging, 'md5-pad'), md5PadFile(MD5_PAD_SIZE));
    const maps: Array<[string, string]> = [[join(staging, 'md5-pad'), MD5_PAD_PATH], [join(staging, 'ks.cfg'), KS_PATH], [join(staging, 'site.tar'), SITE_AREA_PATH], [join(staging, 'release.json'), RELEASE_JSON_PATH]];
    await rm(temp, { force: true });
    await copyFile(o.base, temp).catch((err: unknown) => {
      throw writeError(err, temp);
    });
    // The base's second superblock for its partition offset describes the base's tree; GPT
    // partition 1 starts there, so a reader probing the partition would find that old tree.
    const offset = partitionOffset(report);
    if (offset > 0) dropSuperblockCopy(temp, offset);
    const session = planPayloadSession(reader.range, baseSize, sources.map((f) => ({ isoPath: f.isoPath, size: f.size, mode: statSync(f.disk).mode })), epoch);
    writeSession(temp, session);
    const args = releaseArgs({ image: temp, volumeId, boot: layout.kind === 'el10' ? bootArgs(report) : 'replay', updates, maps, last: [MD5_PAD_PATH, KS_PATH, SITE_AREA_PATH, RELEASE_JSON_PATH], ...(layout.kind === 'el10' ? { esp } : {}), epoch });
    await writeImage(args, temp, {
      env: { SOURCE_DATE_EPOCH: String(epoch) },
      onProgress: emit,
      signal: o.signal,
    });
    const { first, padAt } = checkPlacement(temp, session);
    if (layout.kind === 'el10') writeGpt(temp, `${volumeId}/${epoch}`);
    const size = statSync(temp).size;
    const filled = await fillPayload(
      { path: temp, stopAt: first, padAt },
      sources.map((f, i) => ({ source: f.disk, sha256: f.sha256, size: f.size, extents: session.files[i]!.extents })),
      { onProgress: emit, signal: o.signal },
    );
    if (filled.mismatches.length > 0) {
      const found = filled.mismatches.map((m) => ({ file: sources[m.index]!.entry, actual: m.actual }));
      const listed = found.filter((m): m is { file: ContentFile; actual: string } => m.file !== undefined);
      if (listed.length === 0) throw new FyrError('AGENT_MISSING', `${agent.disk} changed while the release was built; run \`make build\` again`);
      throw content.checksumError(listed);
    }
    emit({ phase: 'finish', message: 'recording the embed areas and implanting the media-check MD5' });
    const finished = finishImage(temp, [filled.checkpoint!], info, { ks: ksSize, site: siteSize, json: jsonSize });
    const stateFile = md5StatePath(output);
    const state = { format: 'fyr-md5state/1', iso: basename(output), volumeId, size, md5: finished.md5.md5, resume: finished.resume };
    await writeFile(`${temp}.md5state`, `${JSON.stringify(state, null, 2)}\n`);
    if (o.signal?.aborted) throw new FyrError('INTERRUPTED', 'stopped before the image was complete');
    await rename(temp, output);
    await rename(`${temp}.md5state`, stateFile);
    return { output, md5StateFile: stateFile, size, info: finished.info, md5: finished.md5.md5 };
  } finally {
    reader.close();
    await rm(staging, { recursive: true, force: true });
    await rm(temp, { force: true });
    await rm(`${temp}.md5state`, { force: true });
  }
}

// Edits the menus of an extracted EFI system partition image (a few MiB) with mtools.
async function editEsp(base: string, image: string, staging: string, edit: Parameters<typeof editGrub>[1], epoch: number): Promise<void> {
  const menus = (await listEsp(image)).filter(isEspMenu);
  if (menus.length === 0) throw new FyrError('BASE_ISO_INVALID', `${base}: the EFI system partition has no grub.cfg or BOOT.conf`);
  for (const menu of menus) {
    const edited = editGrub((await readEspFile(image, menu)).toString('utf8'), edit);
    if (edited.installEntries === 0) throw new FyrError('BASE_ISO_INVALID', `${base}: ${menu} in the EFI system partition has no installer entry`);
    await writeEspFile(image, menu, edited.text, staging, epoch);
  }
}
