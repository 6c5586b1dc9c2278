// The base installer ISO of fyr release: opened and checked, its boot layout recognised from
// xorriso's report, and the few files fyr edits read straight from it.
import { closeSync, openSync, statSync } from 'node:fs';
import { FyrError } from '../errors.js';
import { findInIso, readPrimaryVolume, type PrimaryVolume, type ReadAt } from '../iso9660/read.js';
import { RELEASE_JSON_PATH } from '../formats/media-layout.js';
import { fileReader } from '../util/fs.js';
import { runTool } from '../util/tools.js';
import { detectLayout, inspectArgs, parseInspect, type BaseReport, type BootLayout } from './xorriso.js';

export interface Base {
  path: string;
  volume: PrimaryVolume;
  size: number;
  report: BaseReport;
  layout: BootLayout;
  // The base's own volume id (xorriso's report, else the primary descriptor's).
  volumeId: string;
}

// The base image's creation date: SOURCE_DATE_EPOCH unless one is given, so rebuilds match.
export function epochOf(volume: PrimaryVolume): number {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})/.exec(volume.created);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) / 1000 : 0;
}

// The primary volume, checked first: a cheap, clear error for a file that is no ISO at all.
export function checkBase(base: string): { volume: PrimaryVolume; size: number } {
  let fd: number;
  try {
    fd = openSync(base, 'r');
  } catch (err) {
    throw new FyrError(
      'BASE_ISO_INVALID',
      `cannot open ${base}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      { cause: err },
    );
  }
  try {
    const size = statSync(base).size;
    let volume: PrimaryVolume;
    try {
      volume = readPrimaryVolume(fileReader(fd));
    } catch {
      throw new FyrError(
        'BASE_ISO_INVALID',
        `${base} is not an ISO 9660 image (no primary volume descriptor at sector 16)`,
      );
    }
    if (size < volume.volumeBytes) {
      throw new FyrError(
        'BASE_ISO_INVALID',
        `${base} is truncated: its volume descriptor says ${volume.volumeBytes} bytes, the file has ${size}`,
        { details: ['Download or copy it again and compare its checksum.'] },
      );
    }
    // A release (or site) ISO carries fyr's own tree on top of its base; xorriso would fail
    // on it deep inside with a libisofs message.
    if (isFyrImage(fd))
      throw new FyrError('BASE_ISO_INVALID', `${base} is already a fyr release (it has ${RELEASE_JSON_PATH})`, {
        details: [
          'Give the original RHEL installer ISO as --base; to put a site into a release, use fyr build or fyr customize.',
        ],
      });
    return { volume, size };
  } finally {
    closeSync(fd);
  }
}

// Whether the image has fyr's release.json; a tree fyr cannot walk is left to xorriso to judge.
function isFyrImage(fd: number): boolean {
  try {
    return findInIso(fileReader(fd), RELEASE_JSON_PATH) !== undefined;
  } catch {
    return false;
  }
}

// The boot layout from xorriso's report, or BASE_ISO_INVALID naming what was found.
export async function inspectBase(path: string, opened: { volume: PrimaryVolume; size: number }): Promise<Base> {
  const report = parseInspect((await runTool('xorriso', inspectArgs(path))).stdout);
  const layout = detectLayout(report);
  if ('found' in layout) {
    throw new FyrError('BASE_ISO_INVALID', `${path}: boot layout not recognised (${layout.found})`, {
      details: [
        'fyr knows RHEL 9 (isolinux, images/efiboot.img in the tree) and RHEL 10 / Fedora 37+ (GRUB images/eltorito.img, the ESP as appended partition 2).',
      ],
    });
  }
  return { path, ...opened, report, layout, volumeId: report.volumeId || opened.volume.volumeId };
}

export interface BaseReader {
  // A file of the base's tree, whole.
  file(path: string): Buffer;
  range: ReadAt;
  close(): void;
}

export function baseReader(base: string): BaseReader {
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
