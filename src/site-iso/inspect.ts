// fyr inspect: what a release or site ISO carries, read from release.json and the site area;
// with verify, one sequential read of the image checks every payload file's sha256, the
// implanted media-check MD5 and fragment sums, the saved MD5 state, and the site area against
// its own manifest.
import { createHash, type Hash } from 'node:crypto';
import { fstatSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { KS_PATH } from '../formats/media-layout.js';
import { type ReleaseInfo } from '../formats/release-json.js';
import { findInIso, walkIso, type Extent } from '../iso9660/read.js';
import { blobDigest, treeHash, type HashedFile } from '../registry/tree.js';
import {
  APPDATA_SIZE,
  formatAppData,
  FRAGMENT_COUNT,
  IsoMd5Hasher,
  SKIP_SECTORS,
  type ImplantedMd5,
} from '../iso9660/isomd5.js';
import { checkGpt } from '../iso9660/gpt.js';
import { openReleaseImage, type ReleaseImage } from './release-image.js';
import { MANIFEST, parseRenderManifest, type RenderManifest } from '../formats/render-manifest.js';
import { describeSeal, SEALED_SECRETS, type SealInfo } from '../formats/sealed-secrets.js';
import { unpackSite, type SiteMeta } from '../formats/site-bundle.js';
import { throwIfAborted, type LongWork, type ProgressEvent } from '../util/progress.js';
import type { TarFile } from '../util/tar.js';
import { implantedMd5 } from '../iso9660/media-check.js';

export interface InspectReport {
  path: string;
  size: number;
  volumeId: string;
  release: ReleaseInfo;
  implanted: ImplantedMd5 | undefined;
  // undefined when the release has not been customised for a site.
  site:
    | {
        meta: SiteMeta | undefined;
        files: Array<{ path: string; mode: string; size: number }>;
        kickstartFirstLine: string;
        // How the secrets are sealed (age, scrypt and its work factor); undefined: in clear.
        sealed: SealInfo | undefined;
      }
    | undefined;
  // The site area holds bytes that are not a tar (written over by something else).
  siteAreaDamaged?: boolean;
  verify?: VerifyReport;
}

export interface VerifyReport {
  ok: boolean;
  // registryFiles: files of the registry tree checked (blobs against their names, all against the tree hash).
  checked: { payloadFiles: number; registryFiles: number; bytesHashed: number };
  problems: string[];
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function sealOf(files: TarFile[]): SealInfo | undefined {
  const sealed = files.find((f) => f.path === `bundle${SEALED_SECRETS}`);
  return sealed ? describeSeal(sealed.content) : undefined;
}

export interface InspectOptions extends LongWork<ProgressEvent<'verify'>> {
  verify?: boolean;
}

export async function inspectIso(path: string, options: InspectOptions = {}): Promise<InspectReport> {
  const image = openReleaseImage(path);
  try {
    const { info } = image;
    const ks = image.read(info.embed.kickstart.offset, info.embed.kickstart.length);
    // A damaged area is reported, not thrown: inspect is how one looks at a damaged ISO.
    const unpacked = await unpackSite(image.read(info.embed.site.offset, info.embed.site.length)).catch(() => null);
    const site = unpacked
      ? {
          meta: unpacked.meta,
          files: unpacked.files.map((f) => ({
            path: f.path,
            mode: f.mode.toString(8).padStart(4, '0'),
            size: f.content.length,
          })),
          kickstartFirstLine: ks.toString('utf8', 0, Math.min(ks.length, 512)).split('\n')[0] ?? '',
          sealed: sealOf(unpacked.files),
        }
      : undefined;
    const report: InspectReport = {
      path,
      size: image.size,
      volumeId: image.volume.volumeId,
      release: info,
      implanted: implantedMd5(image),
      site,
    };
    if (unpacked === null) report.siteAreaDamaged = true;
    if (options.verify) {
      report.verify = await verifyImage(image, ks, unpacked?.files, options);
      if (unpacked === null)
        report.verify = {
          ...report.verify,
          ok: false,
          problems: [
            '/fyr/site.tar: the site area is not a readable tar',
            ...report.verify.problems.filter((p) => !p.startsWith(KS_PATH)),
          ],
        };
    }
    return report;
  } finally {
    image.close();
  }
}

interface Range {
  label: string;
  extents: Extent[];
  hash: Hash;
  // undefined: a registry link, whose sha256 only the tree hash vouches for.
  expected: string | undefined;
  size: number;
  // The path inside the registry tree, for the tree hash.
  treePath?: string;
}

// The registry tree's files as the image records them, each a range to hash.
function treeRanges(image: ReleaseImage, root: string, problems: string[]): Range[] {
  const prefix = `${root}/`;
  const files = walkIso(image.read, image.volume).filter((e) => !e.directory && e.path.startsWith(prefix));
  if (files.length === 0) problems.push(`${root}: the registry tree is missing from the image`);
  return files.map((e) => {
    const treePath = e.path.slice(prefix.length);
    return {
      label: e.path,
      extents: e.extents,
      hash: createHash('sha256'),
      expected: blobDigest(treePath),
      size: e.extents.reduce((n, x) => n + x.length, 0),
      treePath,
    };
  });
}

async function verifyImage(
  image: ReleaseImage,
  ks: Buffer,
  siteFiles: TarFile[] | undefined,
  options: InspectOptions,
): Promise<VerifyReport> {
  const problems: string[] = [];
  const { info, layout } = image;
  const ranges: Range[] = [];
  for (const file of [...info.payload, { ...info.agent, role: 'agent' }]) {
    const entry = findInIso(image.read, file.path, image.volume);
    if (!entry) {
      problems.push(`${file.path}: missing from the image`);
      continue;
    }
    const size = entry.extents.reduce((n, x) => n + x.length, 0);
    if (size !== file.size) problems.push(`${file.path}: ${size} bytes, release.json says ${file.size}`);
    ranges.push({ label: file.path, extents: entry.extents, hash: createHash('sha256'), expected: file.sha256, size });
  }
  const tree = info.registry ? treeRanges(image, info.registry.path, problems) : [];
  ranges.push(...tree);
  // Ranges in image order, so each chunk looks only at the ranges it can touch.
  ranges.sort((a, b) => (a.extents[0]?.offset ?? 0) - (b.extents[0]?.offset ?? 0));
  // One pass from byte 0: the media-check MD5 and every payload file's sha256 together.
  const hasher = new IsoMd5Hasher(layout);
  const firstArea = image.areas[0]!.offset;
  let stateAtArea: ReturnType<IsoMd5Hasher['checkpoint']> | undefined;
  const end = Math.max(layout.hashedLength, ...ranges.flatMap((r) => r.extents.map((x) => x.offset + x.length)));
  const handle = await open(image.path, 'r');
  let first = 0;
  try {
    const buf = Buffer.allocUnsafe(4 << 20);
    for (let at = 0; at < end;) {
      throwIfAborted(options.signal, 'the verification was complete');
      // Stop exactly at the first area once, to compare the state saved there.
      const limit = stateAtArea === undefined && at < firstArea ? firstArea - at : end - at;
      const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, limit), at);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      if (!hasher.done) hasher.update(chunk.subarray(0, Math.max(0, Math.min(bytesRead, layout.hashedLength - at))));
      while (ranges[first] && ranges[first]!.extents.every((x) => x.offset + x.length <= at)) first++;
      for (let i = first; i < ranges.length; i++) {
        const r = ranges[i]!;
        if ((r.extents[0]?.offset ?? 0) >= at + bytesRead) break;
        for (const x of r.extents) {
          const from = Math.max(x.offset, at);
          const to = Math.min(x.offset + x.length, at + bytesRead);
          if (from < to) r.hash.update(chunk.subarray(from - at, to - at));
        }
      }
      at += bytesRead;
      if (at === firstArea && stateAtArea === undefined) stateAtArea = hasher.checkpoint();
      options.onProgress?.({ phase: 'verify', done: at, total: end });
    }
  } finally {
    await handle.close();
  }
  const hashed: HashedFile[] = [];
  for (const r of ranges) {
    const actual = r.hash.digest('hex');
    if (r.treePath !== undefined) {
      hashed.push({ path: r.treePath, size: r.size, sha256: actual });
      if (r.expected !== undefined && actual !== r.expected)
        problems.push(`${r.label}: sha256 ${actual}, its name says ${r.expected}`);
    } else if (actual !== r.expected) problems.push(`${r.label}: sha256 ${actual}, release.json says ${r.expected}`);
  }
  if (info.registry && tree.length > 0) {
    hashed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const actual = treeHash(hashed);
    if (actual.files !== info.registry.files || actual.sha256 !== info.registry.sha256)
      problems.push(
        `${info.registry.path}: ${actual.files} files with tree hash ${actual.sha256}, release.json says ${info.registry.files} files, ${info.registry.sha256}`,
      );
  }
  const implanted = implantedMd5(image);
  if (!hasher.done)
    problems.push(`the image ends before its volume size (${layout.hashedLength} bytes hashed expected)`);
  else if (!implanted) problems.push('no media-check MD5 is implanted');
  else {
    const actual = hasher.result();
    if (actual.md5 !== implanted.md5)
      problems.push(`media-check MD5 is ${actual.md5}, the implanted one is ${implanted.md5}`);
    else if (actual.fragmentSums !== implanted.fragmentSums)
      problems.push('media-check fragment sums differ from the implanted ones');
    // checkisomd5 reads every field: another SKIPSECTORS or FRAGMENT COUNT makes it hash
    // another length or check other fragments, so the whole text must be what was implanted.
    else if (implanted.skipSectors !== SKIP_SECTORS)
      problems.push(`the implanted SKIPSECTORS is ${implanted.skipSectors}, the image was hashed with ${SKIP_SECTORS}`);
    else if (implanted.fragmentCount !== FRAGMENT_COUNT)
      problems.push(`the implanted FRAGMENT COUNT is ${implanted.fragmentCount}, expected ${FRAGMENT_COUNT}`);
    else if (!image.read(layout.appDataAt, APPDATA_SIZE).equals(formatAppData(actual)))
      problems.push('the implanted media-check text differs from what implantisomd5 writes for this image');
  }
  // On a stick the image ends before the device does, and so does its backup GPT: files only.
  if (fstatSync(image.fd).isFile()) problems.push(...checkGpt(image.read, image.size));
  const saved = info.md5;
  if (
    !saved ||
    !stateAtArea ||
    JSON.stringify(saved.md5) !== JSON.stringify(stateAtArea.md5) ||
    saved.fragmentSums !== stateAtArea.fragmentSums ||
    saved.offset !== stateAtArea.offset
  ) {
    problems.push(
      'the MD5 state saved in release.json is not the state of the image before the embed areas (fyr build and customize would implant a wrong MD5)',
    );
  }
  problems.push(...checkSiteArea(ks, siteFiles));
  return {
    ok: problems.length === 0,
    checked: { payloadFiles: ranges.length - tree.length, registryFiles: tree.length, bytesHashed: end },
    problems,
  };
}

// The site area against its own manifest; the kickstart area against the manifest's ks.cfg.
function checkSiteArea(ks: Buffer, files: Array<{ path: string; content: Buffer }> | undefined): string[] {
  const problems: string[] = [];
  if (!files) {
    if (!ks.toString('utf8', 0, 64).startsWith('# fyr release'))
      problems.push(`${KS_PATH}: the site area is empty but the kickstart is not the release's placeholder`);
    return problems;
  }
  const manifestFile = files.find((f) => f.path === MANIFEST);
  if (!manifestFile) return ['/fyr/site.tar: no manifest.json'];
  let manifest: Pick<RenderManifest, 'files' | 'sealed'>;
  try {
    manifest = parseRenderManifest(manifestFile.content.toString('utf8'));
  } catch {
    return ['/fyr/site.tar: manifest.json is not valid JSON'];
  }
  // The sealed file is outside the manifest (its bytes differ on every seal); age checks its
  // integrity when the agent opens it, so here only its presence and header are checked.
  if (manifest.sealed && sealOf(files as TarFile[]) === undefined)
    problems.push(
      `/fyr/site.tar: the site is sealed but bundle${SEALED_SECRETS} is missing or not an age file sealed to a code`,
    );
  for (const entry of manifest.files) {
    if (entry.path === 'ks.cfg') {
      if (entry.size > ks.length || sha256(ks.subarray(0, entry.size)) !== entry.sha256)
        problems.push(`${KS_PATH}: differs from the kickstart the manifest lists`);
      continue;
    }
    const file = files.find((f) => f.path === entry.path);
    if (!file) problems.push(`/fyr/site.tar: ${entry.path} is missing`);
    else if (sha256(file.content) !== entry.sha256)
      problems.push(`/fyr/site.tar: ${entry.path} differs from its manifest sha256`);
  }
  return problems;
}
