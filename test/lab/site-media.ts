// The virtual site's stick, made the way a CI pipeline makes one: `fyr content` (the stand-in
// RHCOS of make fixtures as the stream's artifacts), `fyr release` on the el9 fixture base, `fyr build` of the lab
// site, and the site ISO mounted read-only as the bastion sees its media. The bastion's root is
// then what the kickstart's %post copies from that media (the site tar's bundle, the manifest,
// release.json, the agent).
import { execFile } from 'node:child_process';
import { copyFile, cp, mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { execa } from 'execa';
import type { BastionOs } from '../../src/formats/bastion-os.js';
import { MEDIA_AGENT, MEDIA_SITE_TAR } from '../../src/formats/media-layout.js';
import { ISO_FIXTURE_DIR } from '../tools/iso-fixtures.js';
import { LAB_FILES, LAB_FIXTURE_DIR } from '../tools/lab-fixtures.js';
import { connectedSide, contentArgs } from '../helpers/connected.js';

const run = promisify(execFile);
const FYR = resolve('dist/cli/main.js');
export const LAB_UNLOCK_CODE_FILE = resolve('test/fixtures/unlock-code.txt');

// The release content as CI makes it: `fyr content` on the connected side's loopback stand-ins
// (test/helpers/connected.ts: the oc, openshift-install and oc-mirror doubles, the real gpg,
// skopeo and registry), the installer's stream naming the stand-in RHCOS (make fixtures) as
// the PXE kernel, initramfs and rootfs. Its registry tree is what the bastion serves from the
// stick.
async function labContent(dir: string): Promise<string> {
  const content = join(dir, 'content');
  const side = await connectedSide(join(dir, 'connected'), {
    kernel: await readFile(join(LAB_FIXTURE_DIR, LAB_FILES.kernel)),
    initramfs: await readFile(join(LAB_FIXTURE_DIR, LAB_FILES.initramfs)),
    rootfs: await readFile(join(LAB_FIXTURE_DIR, LAB_FILES.rootfs)),
  });
  try {
    // With LVM Storage's operator: the lab's site asks for storage: lvms.
    await fyr(contentArgs(side, content, ['--quiet', '--operator', 'lvms-operator']), side.env);
  } finally {
    await side.close();
  }
  return content;
}

export async function fyr(args: string[], env: Record<string, string> = {}): Promise<void> {
  const r = await execa(process.execPath, [FYR, ...args], { reject: false, all: true, env });
  if (r.exitCode !== 0) throw new Error(`fyr ${args.join(' ')} failed (${r.exitCode}):\n${String(r.all)}`);
}

// fyr release of the lab's content on the el9 fixture base, with small embed areas.
export const labRelease = (content: string, out: string): string[] => [
  'release',
  '--base',
  join(ISO_FIXTURE_DIR, 'el9.iso'),
  '--content',
  content,
  '-o',
  out,
  '--ks-area',
  '64K',
  '--site-area',
  '1M',
  '--boot-timeout',
  '1',
  '--quiet',
];

export interface SiteMedia {
  iso: string;
  // The release ISO the site ISO was built from (a day-2 site is built from it again).
  releaseIso: string;
  media: string;
  // The bastion-side copies, as %post makes them.
  bundle: string;
  manifest: string;
  release: string;
  agent: string;
}

export async function buildSiteMedia(
  dir: string,
  siteFile: string,
  options: { os: BastionOs; sealed: boolean },
): Promise<SiteMedia> {
  const content = await labContent(dir);
  const release = join(dir, 'release.iso');
  await fyr(labRelease(content, release));
  const iso = join(dir, 'site.iso');
  await fyr([
    'build',
    siteFile,
    '--release',
    release,
    '-o',
    iso,
    '--os',
    options.os,
    ...(options.sealed ? ['--unlock-code-file', LAB_UNLOCK_CODE_FILE] : ['--no-seal']),
    '--quiet',
  ]);
  // The media as the bastion sees it. Containers often lack the iso9660 module, so the lab reads
  // the ISO with xorriso (Rock Ridge names, as a mount shows them) instead of mounting it.
  const media = join(dir, 'media');
  await run('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', '/', media]);
  const site = join(dir, 'site-tar');
  await mkdir(site, { recursive: true });
  await run('tar', ['-xf', join(media, MEDIA_SITE_TAR), '-C', site]);
  const agent = join(dir, 'agent-from-media');
  await cp(join(media, MEDIA_AGENT), agent, { recursive: true });
  const copy = join(dir, 'release.json');
  await copyFile(join(media, 'release.json'), copy);
  return {
    iso,
    releaseIso: release,
    media,
    bundle: join(site, 'bundle'),
    manifest: join(site, 'manifest.json'),
    release: copy,
    agent,
  };
}
