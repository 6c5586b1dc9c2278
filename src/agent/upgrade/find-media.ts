// Without --media, fyr-agent upgrade finds the stick itself. An upgrade stick is a release ISO:
// it carries the label of the RHEL media it was made from, as the install stick does, so the
// label alone cannot tell them apart. Every ISO 9660 file system blkid finds is looked at; one not mounted yet is mounted read-only under run/fyr/media/; the stick is the
// one whose release.json has an upgrade path from the version the cluster runs. The others are
// unmounted again if fyr mounted them.
import { access, mkdir, rmdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Exec } from '../exec.js';
import type { UpgradeRelease } from './check.js';
import { readUpgradeRelease, UpgradeMediaError } from './media.js';

// blkid probes the devices themselves (no udev database needed), the cache bypassed.
export const blkidArgs = (): string[] => ['-c', '/dev/null', '-t', 'TYPE=iso9660', '-o', 'export'];
export const findmntArgs = (device: string): string[] => [
  '--noheadings',
  '--first-only',
  '--output',
  'TARGET',
  '--source',
  device,
];
export const mountArgs = (device: string, dir: string): string[] => [
  '-o',
  'ro,nosuid,nodev',
  '-t',
  'iso9660',
  device,
  dir,
];

export interface IsoDevice {
  device: string;
  label: string;
}

// The ISO 9660 file systems in blkid's export output (KEY=value lines, a blank line between
// devices). A stick written with dd shows the ISO on the whole disk and again on its first
// partition (isohybrid): the disk is kept, its partitions (sdb1, nvme0n1p1, loop0p1) not.
export function isoDevices(blkidExport: string): IsoDevice[] {
  const all = blkidExport
    .split(/\n\s*\n/)
    .map((block) =>
      Object.fromEntries(block.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])),
    )
    .filter((d) => d.DEVNAME && d.TYPE === 'iso9660')
    .map((d) => ({ device: d.DEVNAME as string, label: (d.LABEL as string | undefined) ?? '' }));
  const partOf = (part: string, disk: string) => part.startsWith(disk) && /^p?[0-9]+$/.test(part.slice(disk.length));
  return all.filter((d) => !all.some((o) => o !== d && partOf(d.device, o.device)));
}

// How the finder mounts: mount, findmnt and umount with the argv above (a test on a kernel
// without ISO 9660 gives its own).
export interface Mounter {
  mountedAt(device: string): Promise<string | undefined>;
  mount(device: string, dir: string): Promise<void>;
  unmount(dir: string): Promise<void>;
}

export const execMounter = (exec: Exec): Mounter => ({
  // Exit 1: not mounted.
  mountedAt: async (device) =>
    (await exec('findmnt', findmntArgs(device), { okCodes: [1] })).stdout.trim().split('\n')[0] || undefined,
  mount: async (device, dir) => void (await exec('mount', mountArgs(device, dir))),
  unmount: async (dir) => void (await exec('umount', [dir])),
});

export interface FoundMedia {
  dir: string;
  device: string;
  label: string;
  release: UpgradeRelease;
}

// The stick with an upgrade path from `running` (or through it); an UpgradeMediaError saying
// what was seen when there is none, or more than one.
export async function findUpgradeMedia(
  root: string,
  exec: Exec,
  running: string,
  mounter: Mounter = execMounter(exec),
): Promise<FoundMedia> {
  // Exit 2: no device matched.
  const seen = isoDevices((await exec('blkid', blkidArgs(), { okCodes: [2] })).stdout);
  const found: FoundMedia[] = [];
  const notes: string[] = [];
  const ours: string[] = [];
  for (const d of seen) {
    let dir = await mounter.mountedAt(d.device);
    if (!dir) {
      dir = join(root, 'run/fyr/media', basename(d.device));
      await mkdir(dir, { recursive: true });
      const mounted = await mounter.mount(d.device, dir).then(
        () => true,
        (err: Error) => (notes.push(`${d.device} (${d.label}): cannot be mounted: ${err.message}`), false),
      );
      if (!mounted) {
        await rmdir(dir).catch(() => undefined);
        continue;
      }
      ours.push(dir);
    }
    const release = await readUpgradeRelease(dir).catch((err: Error) => err);
    if (release instanceof Error) notes.push(`${d.device} (${d.label}): ${release.message}`);
    else if (!release.upgrade) notes.push(`${d.device} (${d.label}): release ${release.release.name}, no upgrade path`);
    // Its path starts at the running version, or passes through it (an upgrade that stopped
    // after a hop takes the rest of it).
    else if (release.upgrade.from !== running && !release.upgrade.hops.some((h) => h.version === running))
      notes.push(`${d.device} (${d.label}): an upgrade path from ${release.upgrade.from}, not ${running}`);
    else found.push({ dir, device: d.device, label: d.label, release });
  }
  const chosen = found.length === 1 ? found[0] : undefined;
  for (const dir of ours.filter((o) => o !== chosen?.dir)) {
    // Removed only once empty: never anything under a mount that would not go.
    await mounter.unmount(dir).catch(() => undefined);
    await rmdir(dir).catch(() => undefined);
  }
  if (chosen) return chosen;
  const looked = seen.length === 0 ? 'no ISO 9660 file system is attached' : notes.join('; ');
  throw new UpgradeMediaError(
    found.length > 1
      ? `more than one stick has an upgrade path from ${running} (${found.map((f) => `${f.device}: ${f.release.release.name}`).join(', ')}): name one with --media DIR`
      : `no upgrade stick for ${running} was found (${looked}): plug it in, or mount it and name the directory with --media DIR`,
  );
}

// Where a resumed upgrade reads its stick. Still there (a keeper killed and started again): the
// same directory. Gone after a reboot: a stick fyr found and mounted is found again (its path
// from `from`, the version the upgrade started at) and mounted anew; one mounted by hand must
// be mounted there again.
export async function resumeMedia(
  root: string,
  exec: Exec,
  media: string,
  from: string,
  mounter: Mounter = execMounter(exec),
): Promise<string> {
  if (
    await access(join(media, 'release.json')).then(
      () => true,
      () => false,
    )
  )
    return media;
  if (dirname(media) !== join(root, 'run/fyr/media'))
    throw new UpgradeMediaError(
      `the upgrade stick is no longer at ${media}: mount it there again (mount -o ro /dev/sdX ${media}); the upgrade then goes on`,
    );
  return (await findUpgradeMedia(root, exec, from, mounter)).dir;
}
