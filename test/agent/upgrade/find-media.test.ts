// Finding the upgrade stick without --media: blkid's ISO 9660 file systems (a dd'd stick's
// partitions folded into its disk), each mounted read-only with the real mount where it is not
// already, and the one whose release.json has a path from the running version chosen; the
// install stick beside it, with the same RHEL label, is unmounted again. Real loop devices,
// real ISOs (xorriso) and the real blkid, narrowed to this test's devices. This machine's
// kernel has no ISO 9660 driver, so the mounting is a DOUBLE (a mount extracts the ISO with
// xorriso into the directory; an unmount empties it); the real mount's argv is checked above.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { exec, type Exec } from '../../../src/agent/exec.js';
import {
  blkidArgs,
  findmntArgs,
  findUpgradeMedia,
  isoDevices,
  mountArgs,
  resumeMedia,
  type Mounter,
} from '../../../src/agent/upgrade/find-media.js';
import { makeTmpdir, removeTmpdir } from '../../helpers/tmpdir.js';

const LABEL = 'RHEL-9-4-0-BaseOS-x86_64';
const IMAGE = `quay.io/openshift-release-dev/ocp-release@sha256:${'a'.repeat(64)}`;

test('blkid, findmnt and mount argv; the ISO file systems in blkid export output, a stick once', () => {
  assert.equal(blkidArgs(), ['-c', '/dev/null', '-t', 'TYPE=iso9660', '-o', 'export']);
  assert.equal(findmntArgs('/dev/sdb'), ['--noheadings', '--first-only', '--output', 'TARGET', '--source', '/dev/sdb']);
  assert.equal(mountArgs('/dev/sdb', '/run/fyr/media/sdb'), [
    '-o',
    'ro,nosuid,nodev',
    '-t',
    'iso9660',
    '/dev/sdb',
    '/run/fyr/media/sdb',
  ]);
  // blkid -o export of a dd'd stick (the disk and its first partition), a CD and an NVMe stick.
  const text = [
    `DEVNAME=/dev/sdb\nBLOCK_SIZE=2048\nUUID=2025-04-08-05-25-00-00\nLABEL=${LABEL}\nTYPE=iso9660\nPTUUID=1b2c\nPTTYPE=dos`,
    `DEVNAME=/dev/sdb1\nBLOCK_SIZE=2048\nUUID=2025-04-08-05-25-00-00\nLABEL=${LABEL}\nTYPE=iso9660\nPARTUUID=1b2c-01`,
    `DEVNAME=/dev/sr0\nBLOCK_SIZE=2048\nLABEL=${LABEL}\nTYPE=iso9660`,
    `DEVNAME=/dev/nvme1n1p1\nLABEL=OTHER\nTYPE=iso9660`,
    '',
  ].join('\n\n');
  assert.equal(isoDevices(text), [
    { device: '/dev/sdb', label: LABEL },
    { device: '/dev/sr0', label: LABEL },
    { device: '/dev/nvme1n1p1', label: 'OTHER' },
  ]);
  assert.equal(isoDevices(''), []);
});

function releaseJson(name: string, upgrade?: unknown) {
  return JSON.stringify({
    format: 'fyr-release/1',
    fyr: 'test',
    release: { name, openshift: name.split('-')[1], image: IMAGE, arch: 'x86_64', signature: 'verified' },
    ...(upgrade ? { upgrade } : {}),
    volumeId: LABEL,
    base: { volumeId: LABEL, layout: 'el9', size: 0 },
    sourceDateEpoch: 0,
    payload: [],
    agent: { path: '/fyr/agent/fyr-agent.mjs', version: 'test', size: 0, sha256: '0'.repeat(64) },
    embed: {
      kickstart: { path: '/ks.cfg', offset: 0, length: 0 },
      site: { path: '/fyr/site.tar', offset: 0, length: 0 },
    },
    md5: null,
  });
}

// DOUBLE of mount/findmnt/umount for a kernel without ISO 9660: the ISO's files extracted.
function extractingMounter(): Mounter & { mounts: Map<string, string> } {
  const mounts = new Map<string, string>();
  return {
    mounts,
    mountedAt: async (device) => [...mounts].find(([, d]) => d === device)?.[0],
    mount: async (device, dir) => {
      await execa('xorriso', ['-osirrox', 'on', '-indev', `stdio:${device}`, '-extract', '/', dir]);
      mounts.set(dir, device);
    },
    unmount: async (dir) => {
      for (const f of await readdir(dir)) await rm(join(dir, f), { recursive: true, force: true });
      mounts.delete(dir);
    },
  };
}

async function isoWith(dir: string, name: string, releaseJsonText: string): Promise<string> {
  const tree = join(dir, `${name}-tree`);
  await mkdir(tree, { recursive: true });
  await writeFile(join(tree, 'release.json'), releaseJsonText);
  const iso = join(dir, `${name}.iso`);
  await execa('xorriso', ['-as', 'mkisofs', '-quiet', '-V', LABEL, '-J', '-R', '-o', iso, tree]);
  return iso;
}

test('two sticks with the RHEL label: the one with a path from 4.18.9 is chosen and stays mounted, the other unmounted', async () => {
  const dir = await makeTmpdir();
  const loops: string[] = [];
  const root = join(dir, 'root');
  try {
    const install = await isoWith(dir, 'install', releaseJson('ocp-4.18.9-x86_64'));
    const upgrade = await isoWith(
      dir,
      'upgrade',
      releaseJson('ocp-4.18.12-x86_64', {
        from: '4.18.9',
        hops: [
          {
            version: '4.18.12',
            image: IMAGE,
            signature: 'verified',
            signatureFile: '/fyr/sig.yaml',
            releaseTag: 'openshift/release-images:4.18.12-x86_64',
          },
        ],
      }),
    );
    for (const iso of [install, upgrade])
      loops.push((await execa('losetup', ['--find', '--show', '--read-only', iso])).stdout.trim());
    const narrowed: Exec = (file, args, options) => exec(file, file === 'lsblk' ? [...args, ...loops] : args, options);
    const mounter = extractingMounter();
    const found = await findUpgradeMedia(root, narrowed, '4.18.9', mounter);
    assert.is(found.device, loops[1]);
    assert.is(found.label, LABEL);
    assert.is(found.release.release.name, 'ocp-4.18.12-x86_64');
    assert.is(found.dir, join(root, 'run/fyr/media', loops[1]!.replace('/dev/', '')));
    assert.equal(await readdir(join(root, 'run/fyr/media')), [loops[1]!.replace('/dev/', '')], 'the other is gone');
    assert.equal([...mounter.mounts], [[found.dir, loops[1]]], 'only the chosen stick stays mounted');
    // Found again while mounted: used where it is, not mounted twice.
    assert.is((await findUpgradeMedia(root, narrowed, '4.18.9', mounter)).dir, found.dir);
    // A cluster part-way along the stick's path (it runs a hop's version): the same stick.
    assert.is((await findUpgradeMedia(root, narrowed, '4.18.12', mounter)).dir, found.dir);
    // A resumed upgrade: the stick still mounted is used; after a reboot (unmounted) it is
    // found and mounted again; one mounted by hand elsewhere must be mounted there again.
    assert.is(await resumeMedia(root, narrowed, found.dir, '4.18.9', mounter), found.dir);
    await mounter.unmount(found.dir);
    assert.is(await resumeMedia(root, narrowed, found.dir, '4.18.9', mounter), found.dir);
    assert.equal([...mounter.mounts], [[found.dir, loops[1]]]);
    const byHand = await resumeMedia(root, narrowed, join(dir, 'mnt'), '4.18.9', mounter).then(
      () => '',
      (e: Error) => e.message,
    );
    assert.match(byHand, `the upgrade stick is no longer at ${join(dir, 'mnt')}: mount it there again`);
    await mounter.unmount(found.dir);
    await rm(found.dir, { recursive: true });
    // Another running version: neither fits, both are named and nothing stays mounted.
    const err = await findUpgradeMedia(root, narrowed, '4.17.3', mounter).then(
      () => undefined,
      (e: Error) => e,
    );
    const said = err?.message ?? '';
    assert.match(said, 'no upgrade stick for 4.17.3 was found (');
    assert.match(said, `${loops[0]} (${LABEL}): release ocp-4.18.9-x86_64, no upgrade path`);
    assert.match(said, `${loops[1]} (${LABEL}): an upgrade path from 4.18.9, not 4.17.3`);
    assert.equal(await readdir(join(root, 'run/fyr/media')), []);
    assert.equal(mounter.mounts.size, 0);
  } finally {
    for (const l of loops) await execa('losetup', ['--detach', l], { reject: false });
    await removeTmpdir(dir);
  }
});

test.run();
