// Opening a fyr release or site ISO: its primary volume, /release.json, and the checks that
// make the fast path safe (the image is whole, the embed areas are where release.json says and
// have the sizes it says, the saved MD5 state is for this image's layout).
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { FyrError } from '../errors.js';
import { KS_PATH, RELEASE_JSON_PATH, SITE_AREA_PATH } from '../formats/media-layout.js';
import { type Area } from '../formats/embed-areas.js';
import { parseReleaseJson, type ReleaseInfo } from '../formats/release-json.js';
import { fileReader } from '../util/fs.js';
import { describeKind } from '../util/read-capped.js';
import {
  checkExtent,
  findInIso,
  IsoFormatError,
  PVD_OFFSET,
  readPrimaryVolume,
  SECTOR,
  type PrimaryVolume,
  type ReadAt,
} from '../iso9660/read.js';
import { isoMd5Layout, type IsoMd5Checkpoint, type IsoMd5Layout } from '../iso9660/isomd5.js';

export interface ReleaseImage {
  path: string;
  fd: number;
  read: ReadAt;
  size: number;
  volume: PrimaryVolume;
  info: ReleaseInfo;
  // Where release.json itself lies (after the areas).
  releaseJson: Area;
  layout: IsoMd5Layout;
  // The MD5 state just before the first embed area; undefined when release.json's state is
  // not for this image's layout (then only a full re-hash can finish the MD5).
  resume: IsoMd5Checkpoint | undefined;
  // The embed areas in image order.
  areas: Area[];
  close(): void;
}

// Sizes no fyr release comes near: release.json, and an embed area (--site-area is megabytes).
const MAX_RELEASE_JSON = 16 << 20;
const MAX_AREA = 128 << 20;

const invalid = (path: string, why: string, details: string[] = []) =>
  new FyrError('RELEASE_INVALID', `${path}: ${why}`, { details });

function checkArea(path: string, read: ReadAt, volume: PrimaryVolume, area: Area | undefined, isoPath: string): Area {
  if (!area || typeof area.offset !== 'number' || typeof area.length !== 'number')
    throw invalid(path, `release.json does not record the ${isoPath} area`);
  const entry = findInIso(read, isoPath, volume);
  const extent = entry?.extents[0];
  if (area.length > MAX_AREA)
    throw invalid(
      path,
      `release.json gives ${isoPath} ${area.length} bytes, more than fyr reads (128 MiB; site bundles are kilobytes)`,
    );
  if (!entry || entry.extents.length !== 1 || extent!.offset !== area.offset || extent!.length !== area.length) {
    throw invalid(path, `${isoPath} is not where release.json says (${area.length} bytes at ${area.offset})`, [
      'The ISO was changed by another tool; build the release again.',
    ]);
  }
  checkExtent(area, volume.volumeBytes, isoPath);
  return area;
}

export function openReleaseImage(path: string, mode: 'r' | 'r+' = 'r'): ReleaseImage {
  let fd: number;
  try {
    // Non-blocking: a FIFO is refused below instead of waiting for a writer.
    fd = openSync(path, (mode === 'r' ? constants.O_RDONLY : constants.O_RDWR) | constants.O_NONBLOCK);
  } catch (err) {
    throw invalid(path, `cannot open: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    const kind = fstatSync(fd);
    if (!kind.isFile() && !kind.isBlockDevice())
      throw invalid(path, `is ${describeKind(kind)}, not an ISO image file or a block device`);
    return openImage(path, fd);
  } catch (err) {
    closeSync(fd);
    if (err instanceof IsoFormatError) throw invalid(path, err.message);
    throw err;
  }
}

function openImage(path: string, fd: number): ReleaseImage {
  const read = fileReader(fd);
  let volume: PrimaryVolume;
  try {
    volume = readPrimaryVolume(read);
  } catch (err) {
    if (err instanceof IsoFormatError) throw err;
    throw invalid(path, 'not an ISO 9660 image (no primary volume descriptor at sector 16)');
  }
  // A flashed stick is larger than its image: the image is what the volume says.
  const size = fstatSync(fd).isBlockDevice() ? volume.volumeBytes : fstatSync(fd).size;
  if (size < volume.volumeBytes)
    throw invalid(path, `truncated: its volume descriptor says ${volume.volumeBytes} bytes, the file has ${size}`, [
      'Copy or download it again.',
    ]);
  const entry = findInIso(read, RELEASE_JSON_PATH, volume);
  if (!entry || entry.directory) throw invalid(path, 'no /release.json: not an ISO made by `fyr release`');
  const releaseJson: Area = {
    path: RELEASE_JSON_PATH,
    offset: entry.extents[0]!.offset,
    length: entry.extents[0]!.length,
  };
  // Kilobytes per thousand payload files: anything near the cap is not fyr's.
  if (entry.extents.length !== 1 || releaseJson.length > MAX_RELEASE_JSON)
    throw invalid(path, `/release.json is ${releaseJson.length} bytes, more than fyr writes`);
  checkExtent(releaseJson, size, '/release.json');
  let info: ReleaseInfo;
  try {
    info = parseReleaseJson(read(releaseJson.offset, releaseJson.length).toString('utf8'));
  } catch (err) {
    throw invalid(path, `/release.json ${(err as Error).message}`);
  }
  const ks = checkArea(path, read, volume, info.embed?.kickstart, KS_PATH);
  const site = checkArea(path, read, volume, info.embed?.site, SITE_AREA_PATH);
  const areas = [ks, site].sort((a, b) => a.offset - b.offset);
  const layout = isoMd5Layout(read(PVD_OFFSET, SECTOR));
  const saved = info.md5;
  const resume =
    saved &&
    saved.offset === areas[0]!.offset &&
    saved.hashedLength === layout.hashedLength &&
    saved.appDataAt === layout.appDataAt
      ? saved
      : undefined;
  if (releaseJson.offset < areas[1]!.offset + areas[1]!.length)
    throw invalid(path, '/release.json lies before the embed areas');
  return { path, fd, read, size, volume, info, releaseJson, layout, resume, areas, close: () => closeSync(fd) };
}

// release.json alone, checked as above (for naming the release in a site's build record).
export function readReleaseInfo(path: string): ReleaseInfo {
  const image = openReleaseImage(path);
  image.close();
  performance.mark('fyr: release.json read');
  return image.info;
}
