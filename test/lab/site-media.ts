// The virtual site's stick, made the way a CI pipeline makes one: release content from the
// stand-in RHCOS (make fixtures), `fyr release` on the el9 fixture base, `fyr build` of the lab
// site, and the site ISO mounted read-only as the bastion sees its media. The bastion's root is
// then what the kickstart's %post copies from that media (the site tar's bundle, the manifest,
// release.json, the agent).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { execa } from 'execa';
import type { BastionOs } from '../../src/formats/bastion-os.js';
import { MEDIA_AGENT, MEDIA_SITE_TAR } from '../../src/formats/media-layout.js';
import { ISO_FIXTURE_DIR } from '../tools/iso-fixtures.js';
import { LAB_FILES, LAB_FIXTURE_DIR } from '../tools/lab-fixtures.js';

const run = promisify(execFile);
const FYR = resolve('dist/cli/main.js');
export const LAB_UNLOCK_CODE_FILE = resolve('test/fixtures/unlock-code.txt');

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

// The release content: the stand-in RHCOS as the live kernel, initramfs and rootfs; small
// stand-ins for what the agent's doubles replace (installers, registry image); a real tar as the
// release mirror (the agent unpacks it).
async function labContent(dir: string): Promise<string> {
  const content = join(dir, 'content');
  const files: Array<{ path: string; role: string; data: Buffer }> = [
    {
      path: 'rhcos/rhcos-live-kernel-x86_64',
      role: 'rhcos-kernel',
      data: await readFile(join(LAB_FIXTURE_DIR, LAB_FILES.kernel)),
    },
    {
      path: 'rhcos/rhcos-live-initramfs.x86_64.img',
      role: 'rhcos-initramfs',
      data: await readFile(join(LAB_FIXTURE_DIR, LAB_FILES.initramfs)),
    },
    {
      path: 'rhcos/rhcos-live-rootfs.x86_64.img',
      role: 'rhcos-rootfs',
      data: await readFile(join(LAB_FIXTURE_DIR, LAB_FILES.rootfs)),
    },
    { path: 'rhcos/rhcos-metal.x86_64.raw.gz', role: 'rhcos-metal', data: Buffer.from('lab: not used by PXE\n') },
    { path: 'bin/openshift-install', role: 'openshift-install', data: Buffer.from('#!/bin/sh\n# lab stand-in\n') },
    { path: 'bin/oc', role: 'oc', data: Buffer.from('#!/bin/sh\n# lab stand-in\n') },
    { path: 'registry/registry.tar', role: 'registry-image', data: Buffer.from('lab registry image\n') },
  ];
  const src = join(dir, 'mirror-src');
  await mkdir(join(src, 'v2/openshift/release/manifests'), { recursive: true });
  await writeFile(join(src, 'v2/openshift/release/manifests/4.16.3-x86_64'), '{"schemaVersion":2}\n');
  await mkdir(join(content, 'mirror'), { recursive: true });
  await run('tar', [
    '--sort=name',
    '--mtime=@1700000000',
    '--owner=0',
    '--group=0',
    '-cf',
    join(content, 'mirror/mirror_seq1_000000.tar'),
    '-C',
    src,
    'v2',
  ]);
  files.push({
    path: 'mirror/mirror_seq1_000000.tar',
    role: 'release-mirror',
    data: await readFile(join(content, 'mirror/mirror_seq1_000000.tar')),
  });
  for (const f of files) {
    await mkdir(join(content, f.path, '..'), { recursive: true });
    await writeFile(join(content, f.path), f.data);
  }
  const manifest = {
    format: 'fyr-content/1',
    release: { name: 'lab-4.16.3', openshift: '4.16.3', rhcos: 'lab-standin' },
    files: files.map((f) => ({ path: f.path, role: f.role, size: f.data.length, sha256: sha256(f.data) })),
  };
  await writeFile(join(content, 'fyr-content.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return content;
}

async function fyr(args: string[]): Promise<void> {
  const r = await execa(process.execPath, [FYR, ...args], { reject: false, all: true });
  if (r.exitCode !== 0) throw new Error(`fyr ${args.join(' ')} failed (${r.exitCode}):\n${String(r.all)}`);
}

export interface SiteMedia {
  iso: string;
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
  await fyr([
    'release',
    '--base',
    join(ISO_FIXTURE_DIR, 'el9.iso'),
    '--content',
    content,
    '-o',
    release,
    '--ks-area',
    '64K',
    '--site-area',
    '1M',
    '--boot-timeout',
    '1',
    '--quiet',
  ]);
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
  return { iso, media, bundle: join(site, 'bundle'), manifest: join(site, 'manifest.json'), release: copy, agent };
}
