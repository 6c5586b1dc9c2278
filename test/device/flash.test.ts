// fyr flash onto a regular file and onto a real loop device: PASS after a read-back from the
// device, a site spliced in on the way equals fyr build's, and the refusals (mounted, too
// small, holding the system, not confirmed) write nothing.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { refusal } from '../../src/device/flash.js';
import { lsblkArgs, parseLsblk } from '../../src/device/lsblk.js';
import { makeTestRelease, withTestRelease } from '../helpers/release.js';
import { runCli } from '../helpers/cli.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const EDGE = 'examples/edge/site.yaml';
const ENV = { SOURCE_DATE_EPOCH: '1700000000' };
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const LSBLK = JSON.stringify({
  blockdevices: [
    {
      name: 'sda',
      path: '/dev/sda',
      size: 512110190592,
      model: 'Samsung SSD',
      tran: 'sata',
      rm: false,
      hotplug: false,
      type: 'disk',
      mountpoints: [null],
      children: [
        { name: 'sda1', path: '/dev/sda1', size: 1, type: 'part', mountpoints: ['/boot/efi'] },
        {
          name: 'sda2',
          path: '/dev/sda2',
          size: 1,
          type: 'part',
          mountpoints: [null],
          children: [{ name: 'root', path: '/dev/mapper/root', size: 1, type: 'crypt', mountpoints: ['/'] }],
        },
      ],
    },
    {
      name: 'sdb',
      path: '/dev/sdb',
      size: 32017047552,
      model: 'SanDisk 3.2Gen1 ',
      tran: 'usb',
      rm: true,
      hotplug: true,
      type: 'disk',
      mountpoints: [null],
      children: [{ name: 'sdb1', path: '/dev/sdb1', size: 1, type: 'part', mountpoints: ['/media/tech/STICK'] }],
    },
    {
      name: 'sr0',
      path: '/dev/sr0',
      size: 1073741312,
      model: 'DVD',
      tran: 'sata',
      rm: true,
      hotplug: true,
      type: 'rom',
      mountpoints: [null],
    },
  ],
});

test('flash :: lsblk command line and parsing: mounts of partitions and dm children count', () => {
  assert.equal(lsblkArgs('/dev/sdb'), [
    '--json',
    '--bytes',
    '--output',
    'NAME,PATH,SIZE,MODEL,TRAN,RM,HOTPLUG,TYPE,MOUNTPOINTS',
    '/dev/sdb',
  ]);
  const devices = parseLsblk(LSBLK);
  assert.equal(devices, [
    {
      path: '/dev/sda',
      size: 512110190592,
      model: 'Samsung SSD',
      transport: 'sata',
      removable: false,
      mountpoints: ['/boot/efi', '/'],
    },
    {
      path: '/dev/sdb',
      size: 32017047552,
      model: 'SanDisk 3.2Gen1',
      transport: 'usb',
      removable: true,
      mountpoints: ['/media/tech/STICK'],
    },
  ]);
  assert.match(refusal(devices[0]!, 1)!, /holds the running system \(\/boot\/efi, \/\)/);
  assert.match(refusal(devices[1]!, 1)!, /is mounted at \/media\/tech\/STICK; unmount it first/);
  assert.match(
    refusal({ ...devices[1]!, mountpoints: [] }, 4e10)!,
    /has 32017047552 bytes, the image needs 40000000000/,
  );
  assert.is(refusal({ ...devices[1]!, mountpoints: [] }, 1e9), undefined);
});

async function withLoop(
  dir: string,
  name: string,
  bytes: number,
  fn: (device: string) => Promise<void>,
): Promise<void> {
  const file = join(dir, name);
  writeFileSync(file, Buffer.alloc(0));
  await execa('truncate', ['-s', String(bytes), file]);
  const device = (await execa('losetup', ['--find', '--show', file])).stdout.trim();
  try {
    await fn(device);
  } finally {
    await execa('losetup', ['--detach', device], { reject: false });
  }
}

test('flash :: to a file and to a loop device, with and without a site spliced in; refusals write nothing', async () => {
  const dir = await makeTmpdir();
  try {
    const { release } = await makeTestRelease(dir);
    const site = join(dir, 'site.iso');
    assert.is((await runCli(['build', EDGE, '--release', release, '-o', site, '-q', '--no-seal'], ENV)).code, 0);
    const siteBytes = readFileSync(site);

    // A regular file: the site spliced in on the way gives fyr build's bytes (unsealed: a seal
    // is new each time).
    const file = join(dir, 'stick.img');
    const r = await runCli(['flash', release, file, '--site', EDGE, '--yes', '--no-seal'], ENV);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /^PASS: .* reads back as written/);
    assert.is(sha256(readFileSync(file)), sha256(siteBytes));

    // Not confirmed: no terminal to ask on, and no --yes.
    const unconfirmed = await runCli(['flash', site, join(dir, 'other.img')]);
    assert.is(unconfirmed.code, 1);
    assert.match(unconfirmed.stderr, /not confirmed: pass --yes .*\[FLASH_REFUSED\]/);

    // A real block device, read back after its cache is dropped; checkisomd5 passes on it.
    await withLoop(dir, 'loop.img', 64 << 20, async (device) => {
      const json = await runCli(['flash', site, device, '--yes', '--json']);
      assert.is(json.code, 0, json.stderr);
      const out = JSON.parse(json.stdout);
      assert.is(out.ok, true);
      assert.is(out.readBack, sha256(siteBytes));
      const check = await execa('checkisomd5', [device], { reject: false, all: true });
      assert.is(check.exitCode, 0, check.all);
    });

    // Too small.
    await withLoop(dir, 'small.img', 8 << 20, async (device) => {
      const small = await runCli(['flash', site, device, '--yes']);
      assert.is(small.code, 1);
      assert.match(
        small.stderr,
        new RegExp(`${device} has 8388608 bytes, the image needs ${siteBytes.length} \\[FLASH_REFUSED\\]`),
      );
    });

    // Mounted: a filesystem on the device is in use.
    await withLoop(dir, 'mounted.img', 64 << 20, async (device) => {
      await execa('mkfs.ext4', ['-q', '-F', device]);
      const mnt = join(dir, 'mnt');
      mkdirSync(mnt);
      // Read-only: a read-write ext4 mount rewrites its superblock on its own (journal commit),
      // which would change the bytes this test compares.
      await execa('mount', ['-o', 'ro', device, mnt]);
      try {
        const before = sha256(
          (await execa('head', ['-c', '1048576', device], { encoding: 'buffer' })).stdout as unknown as Buffer,
        );
        const mounted = await runCli(['flash', site, device, '--yes']);
        assert.is(mounted.code, 1);
        assert.match(mounted.stderr, new RegExp(`${device} is mounted at ${mnt}; unmount it first`));
        const after = sha256(
          (await execa('head', ['-c', '1048576', device], { encoding: 'buffer' })).stdout as unknown as Buffer,
        );
        assert.is(after, before);
      } finally {
        await execa('umount', [mnt], { reject: false });
      }
    });
  } finally {
    await removeTmpdir(dir);
  }
});

test('flash :: flash to a regular file on a full disk is NO_SPACE and leaves nothing', () =>
  withTestRelease('el9', async (dir, release) => {
    const out = join(dir, 'full');
    mkdirSync(out);
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'fyr-test-flash-full', out]);
    try {
      const r = await runCli(['flash', release, join(out, 'stick.img'), '--yes']);
      assert.is(r.code, 1, r.stderr);
      assert.match(
        r.stderr,
        /no space left writing .*stick\.img: it needs about \d+ bytes, \d+ are free in .*\[NO_SPACE\]/,
      );
      assert.equal(readdirSync(out), []);
    } finally {
      await execa('umount', [out]);
    }
  }));

test('flash :: without a device it lists removable disks', async () => {
  const r = await runCli(['flash', '--json']);
  assert.is(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.ok(Array.isArray(json.devices));
  for (const d of json.devices) assert.is(d.removable, true);
});

test.run();
