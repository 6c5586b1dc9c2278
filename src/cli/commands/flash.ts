// fyr flash: write an ISO to a USB stick and read it back.
import { statSync } from 'node:fs';
import { FyrError, VerifyFailedError } from '../../errors.js';
import { checkTarget, flashImage } from '../../device/flash.js';
import { listDevices, type BlockDevice } from '../../device/lsblk.js';
import { readReleaseInfo } from '../../site-iso/release-image.js';
import { inspectIso } from '../../site-iso/inspect.js';
import { sitePatchesFor } from '../../site-iso/splice.js';
import type { CommandSpec } from '../command.js';
import { RENDER_OPTIONS, SEAL_OPTIONS } from '../options.js';
import { follow, makeProgress } from '../progress.js';
import { toJson } from '../report.js';
import { showUnlockCode } from '../seal-site.js';
import { packForIso, releaseFacts, siteForIso } from '../site-splice.js';
import { isPackFile } from '../../pack/pack.js';
import { makeStyle } from '../style.js';

const gb = (n: number) => `${(n / 1e9).toFixed(1)} GB`;

function deviceTable(devices: readonly BlockDevice[]): string {
  if (devices.length === 0)
    return 'No removable disk found. Plug in a USB stick, or name the device: fyr flash ISO /dev/sdX\n';
  const rows = devices.map(
    (d) =>
      `  ${d.path.padEnd(14)} ${gb(d.size).padStart(9)}  ${(d.transport || '-').padEnd(5)} ${d.model || '-'}${d.mountpoints.length > 0 ? `  (mounted at ${d.mountpoints.join(', ')})` : ''}`,
  );
  return `Removable disks:\n${rows.join('\n')}\n`;
}

export const flashCommand: CommandSpec = {
  name: 'flash',
  summary: 'Write an ISO to a USB stick and verify it by reading it back',
  usage: 'fyr flash ISO [DEVICE] [--site SITE] [--yes]',
  description: [
    "Without DEVICE, lists the removable disks (size, transport, model). With DEVICE, refuses a disk that is mounted, holds the running system or is smaller than the image, asks for confirmation (unless --yes), writes the image in large aligned pieces with a progress bar, syncs, drops the device's cache, reads it back and compares sha256: PASS or FAIL.",
    'With --site, ISO is a release (or site) ISO and the site is spliced in on the way to the stick, with its media-check MD5: no site ISO is written to disk. DEVICE may also be a regular file.',
    '--site may name a sealed site pack (fyr build SITE --pack): the site rendered and sealed in CI, spliced here with no site file, secrets file or unlock code; a pack made for another release is refused (PACK_RELEASE_MISMATCH).',
  ],
  options: {
    site: {
      type: 'string',
      value: 'FILE',
      help: 'Splice this site (a site file, or a pack from fyr build --pack) into the release on the way',
    },
    ...RENDER_OPTIONS,
    ...SEAL_OPTIONS,
    'new-unlock-code': {
      type: 'boolean',
      help: 'ISO is a sealed site ISO: seal the new site to a new unlock code, made and shown once',
    },
    yes: { type: 'boolean', short: 'y', help: 'Do not ask for confirmation' },
    quiet: { type: 'boolean', short: 'q', help: 'No progress' },
  },
  positionals: { min: 0, max: 2 },
  examples: [
    'fyr flash site.iso',
    'fyr flash site.iso /dev/sdb',
    'fyr flash release.iso /dev/sdb --site site.yaml --yes',
    'fyr flash release.iso /dev/sdb --site edge.fyrsite --yes',
  ],
  async run(args, io) {
    const [image, device] = args.positionals;
    if (device === undefined) {
      const devices = (await listDevices()).filter((d) => d.removable);
      io.stdout(args.json ? toJson({ ok: true, devices }) : deviceTable(devices));
      return 0;
    }
    const imageSize = statSync(image!, { throwIfNoEntry: false })?.size;
    if (imageSize === undefined) throw new FyrError('USAGE', `${image}: no such file`);
    const siteFile = args.options.site;
    let patches;
    let site;
    if (typeof siteFile === 'string' && isPackFile(siteFile)) {
      site = await packForIso(siteFile, args, image!);
      patches = site.patches;
    } else if (typeof siteFile === 'string') {
      const info = readReleaseInfo(image!);
      const sealed = (await inspectIso(image!)).site?.sealed !== undefined;
      site = await siteForIso(siteFile, args, io, releaseFacts(info), sealed);
      patches = sitePatchesFor(image!, site.content).patches;
    }
    const target = await checkTarget(device, imageSize);
    if (args.options.yes !== true) {
      if (!io.confirm)
        throw new FyrError(
          'FLASH_REFUSED',
          `not confirmed: pass --yes to write ${target.description} (stdin is not a terminal)`,
        );
      if (
        !(await io.confirm(
          `Write ${image}${site ? ` with site ${site.meta.cluster}` : ''} to ${target.description}? Everything on it will be lost.`,
        ))
      ) {
        throw new FyrError('FLASH_REFUSED', 'not confirmed; nothing was written');
      }
    }
    const progress = makeProgress(io, { quiet: args.options.quiet === true || args.json });
    let result;
    try {
      result = await flashImage({
        image: image!,
        target,
        ...(patches ? { patches } : {}),
        signal: io.signal,
        onProgress: follow(progress, (phase) => (phase === 'write' ? `writing ${device}` : `reading ${device} back`)),
      });
    } finally {
      progress.done();
    }
    const summary = {
      device,
      image,
      bytes: result.bytes,
      sha256: result.sha256,
      readBack: result.readBack,
      ...(site ? { site: site.meta } : {}),
    };
    if (!args.json) {
      const s = makeStyle(io.color.stdout);
      io.stdout(
        result.ok
          ? `${s.green('PASS')}: ${device} reads back as written (${result.bytes} bytes, sha256 ${result.sha256})\n`
          : `${s.red('FAIL')}: ${device} reads back sha256 ${result.readBack}, written ${result.sha256}; use another stick\n`,
      );
    }
    if (!result.ok) throw new VerifyFailedError(`${device} does not read back what was written`, summary);
    if (site) showUnlockCode(site.code, io, site.meta.cluster);
    if (args.json) io.stdout(toJson({ ok: true, ...summary }));
    return 0;
  },
};
