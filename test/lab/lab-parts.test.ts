// The virtual site's pure pieces against literal values: qemu's command line per firmware and
// boot device, Chromium's for a screenshot, the paths read out of fyr's rendered menus; and the
// stray's power cycles against a chassis that writes down what it is told.
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { menuPaths } from './lab-asserts.js';
import { chromiumArgs } from './screenshot.js';
import { Stray } from './stray.js';
import { qemuArgs, SERIAL_MARKS, serialText, type Vm } from './vms.js';

const test = suite('lab :: parts');

const vm = (firmware: 'bios' | 'uefi'): Vm => ({
  name: 'cp-0',
  mac: '52:54:00:00:00:10',
  firmware,
  dir: '/lab/cp-0',
  serial: '/lab/cp-0/serial.log',
  disk: '/lab/cp-0/disk.raw',
});

const COMMON = ['-m', '512', '-smp', '1', '-nographic', '-vga', 'none', '-nodefaults', '-no-reboot'];
const TAIL = ['-pidfile', '/lab/cp-0/qemu.pid', '-chardev', 'file,id=serial0,path=/lab/cp-0/serial.log,append=on'];

test('a BIOS VM booting from the network once: SeaBIOS on the serial line, the NIC first', () => {
  assert.equal(qemuArgs(vm('bios'), 'tap1', 'pxe'), [
    '-accel',
    'tcg',
    '-machine',
    'pc',
    '-fw_cfg',
    'name=etc/sercon-port,file=/lab/cp-0/sercon',
    ...COMMON,
    ...TAIL,
    '-serial',
    'chardev:serial0',
    '-netdev',
    'tap,id=n0,ifname=tap1,script=no,downscript=no',
    '-device',
    'virtio-net-pci,netdev=n0,mac=52:54:00:00:00:10,bootindex=1',
    '-drive',
    'file=/lab/cp-0/disk.raw,if=none,id=disk0,format=raw',
    '-device',
    'nvme,drive=disk0,serial=cp-0,bootindex=2',
  ]);
});

test('a UEFI VM: OVMF, no iPXE ROM, a throwaway variable store for the one-time boot only', () => {
  const pxe = qemuArgs(vm('uefi'), 'tap2', 'pxe');
  const later = qemuArgs(vm('uefi'), 'tap2', 'default');
  assert.equal(pxe.slice(0, 8), [
    '-accel',
    'tcg',
    '-machine',
    'q35',
    '-drive',
    'if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd',
    '-drive',
    'if=pflash,format=raw,file=/lab/cp-0/OVMF_VARS.once.fd',
  ]);
  assert.is(later[7], 'if=pflash,format=raw,file=/lab/cp-0/OVMF_VARS.fd');
  assert.ok(pxe.includes('virtio-net-pci,netdev=n0,mac=52:54:00:00:00:10,bootindex=1,romfile='));
  // The firmware's own order after the one-time boot: no bootindex anywhere.
  assert.ok(later.includes('virtio-net-pci,netdev=n0,mac=52:54:00:00:00:10,romfile='));
  assert.ok(later.includes('nvme,drive=disk0,serial=cp-0'));
});

test('Chromium: headless, no sandbox (root), off the network it may not reach', () => {
  assert.equal(chromiumArgs('/tmp/p', 'http://192.168.8.1:8090/', '/out/08-watch.png'), [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--hide-scrollbars',
    '--user-data-dir=/tmp/p',
    '--window-size=1100,900',
    '--screenshot=/out/08-watch.png',
    'http://192.168.8.1:8090/',
  ]);
});

test('the paths a rendered pxelinux and GRUB menu name', async () => {
  const pxe = await readFile('test/golden/edge/bundle/var/lib/tftpboot/pxelinux.cfg/01-52-54-00-00-00-10', 'utf8');
  const grub = await readFile('test/golden/edge/bundle/var/lib/tftpboot/uefi/grub.cfg-01-52-54-00-00-00-11', 'utf8');
  const want = { kernel: '/rhcos/kernel', initramfs: '/rhcos/initramfs.img', ignition: '/ignition/master.ign' };
  assert.equal(menuPaths(pxe), want);
  assert.equal(menuPaths(grub), want);
  assert.throws(() => menuPaths('DEFAULT local\nLABEL local\n  LOCALBOOT 0\n'), /names no/);
});

test("the serial console as text: SeaBIOS's cursor moves inside a banner are taken out", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fyr-serial-'));
  try {
    const serial = join(dir, 'serial.log');
    await writeFile(
      serial,
      'PXELINUX \x1b[25;09H\x1b[25;10H6.04 lwIP\r\nLoa\x1b[25;03H\x1b[25;04Hding http://x/kernel\r\n',
      'latin1',
    );
    const text = await serialText({ ...vm('bios'), serial });
    assert.is(text, 'PXELINUX 6.04 lwIP\nLoading http://x/kernel\n');
    assert.match(text, SERIAL_MARKS.find((m) => m.step === 'pxelinux')!.pattern);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// The stray's power cycles: a failed network boot (SeaBIOS's, then PXELINUX's) is powered off
// and on once each (each power-on's console starts clean), and the default menu's local boot on
// the next power-on releases the hold.
test('the stray: a failed network boot powered off and on, the hold released by the local boot', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fyr-stray-'));
  try {
    const stray: Vm = { ...vm('bios'), name: 'stray', dir, serial: join(dir, 'serial.log') };
    // The chassis: each command it is given, one line each (the lab's is test/lab/vm-chassis).
    await writeFile(join(dir, 'vm'), `#!/bin/sh\necho "$*" >> '${join(dir, 'commands')}'\n`, { mode: 0o755 });
    await writeFile(stray.serial, '');
    const hold = join(dir, 'hold');
    await writeFile(hold, '');
    const lines: string[] = [];
    const s = new Stray(stray, hold, (l) => lines.push(l));
    await s.step();
    assert.not.ok(s.on);
    await s.powerOn();
    await appendFile(stray.serial, 'iPXE initialising devices...ok\r\nNo bootable device.\r\n');
    await s.step();
    await s.step(); // the failed boot is the last power-on's: not retried again
    // PXELINUX finding no config file is a failed boot too.
    await appendFile(
      stray.serial,
      'PXELINUX 6.04\r\nUnable to locate configuration file\r\nBoot failed: press a key to retry, or wait for reset...\r\n',
    );
    await s.step();
    await s.step();
    await appendFile(stray.serial, 'PXELINUX 6.04\r\nBooting from local disk...\r\n');
    assert.ok(existsSync(hold), 'held until the stray is polled again');
    await s.step();
    assert.not.ok(existsSync(hold), 'the local boot released the hold');
    const commands = await readFile(join(dir, 'commands'), 'utf8');
    assert.is(commands, 'start default\nstop\nstart default\nstop\nstart default\n');
    assert.match(lines[0]!, /network boot failed; powered off and on again.*\n +\| No bootable device\./s);
    assert.match(lines[1]!, /network boot failed; powered off and on again.*\n +\| Boot failed: press a key/s);
    assert.match(lines[2]!, /booted the default menu \d+ s after power-on/);
    assert.is(lines.length, 3);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
