// The virtual site's machines: qemu VMs under TCG in a "rack" network namespace, bridged to the
// bastion's LAN, each with its site MAC on virtio-net and a 16 MiB NVMe disk at the site's
// install device. BIOS machines run SeaBIOS with the iPXE ROM, UEFI machines OVMF (its own
// PXE, no iPXE ROM: shim fails under iPXE's EFI loader). Power goes through vm-chassis, so a
// BMC's power state is the VM's process. Serial consoles go to DIR/serial.log (appended across
// reboots), the lab's evidence for what the firmware and boot loaders did.
import { execFile } from 'node:child_process';
import { copyFile, readFile, truncate, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { DISK_BYTES, IGNITION_OFFSET } from '../tools/lab-fixtures.js';

const run = promisify(execFile);
export const VM_CHASSIS = resolve('test/lab/vm-chassis');
const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';

export type Firmware = 'bios' | 'uefi';

export interface Vm {
  name: string;
  mac: string;
  firmware: Firmware;
  dir: string;
  serial: string;
  disk: string;
}

// The qemu command line for one boot; `device` is the boot's one-time device (pxe: the NIC
// first) or default (the firmware's own order: the disk, then the network).
export function qemuArgs(vm: Vm, tap: string, device: 'pxe' | 'default'): string[] {
  const first = device === 'pxe';
  const firmware =
    vm.firmware === 'bios'
      ? ['-machine', 'pc', '-fw_cfg', `name=etc/sercon-port,file=${join(vm.dir, 'sercon')}`]
      : [
          '-machine',
          'q35',
          '-drive',
          `if=pflash,format=raw,readonly=on,file=${OVMF_CODE}`,
          '-drive',
          `if=pflash,format=raw,file=${join(vm.dir, first ? 'OVMF_VARS.once.fd' : 'OVMF_VARS.fd')}`,
        ];
  return [
    '-accel',
    'tcg',
    ...firmware,
    '-m',
    '512',
    '-smp',
    '1',
    '-nographic',
    '-vga',
    'none',
    '-nodefaults',
    '-no-reboot',
    '-pidfile',
    join(vm.dir, 'qemu.pid'),
    '-chardev',
    `file,id=serial0,path=${vm.serial},append=on`,
    '-serial',
    'chardev:serial0',
    '-netdev',
    `tap,id=n0,ifname=${tap},script=no,downscript=no`,
    '-device',
    `virtio-net-pci,netdev=n0,mac=${vm.mac}${first ? ',bootindex=1' : ''}${vm.firmware === 'uefi' ? ',romfile=' : ''}`,
    '-drive',
    `file=${vm.disk},if=none,id=disk0,format=raw`,
    '-device',
    `nvme,drive=disk0,serial=${vm.name}${first ? ',bootindex=2' : ''}`,
  ];
}

const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

// Makes the VM's directory: disk, firmware variables, the qemu program vm-chassis runs, and the
// `vm` program the BMC doubles call.
export async function makeVm(vm: Vm, rackNs: string, tap: string): Promise<void> {
  await writeFile(vm.disk, '');
  await truncate(vm.disk, DISK_BYTES);
  await writeFile(vm.serial, '');
  if (vm.firmware === 'bios') await writeFile(join(vm.dir, 'sercon'), Buffer.from([0xf8, 0x03]));
  else await copyFile(OVMF_VARS, join(vm.dir, 'OVMF_VARS.fd'));
  // A one-time boot must not change the boot order the machine keeps: OVMF writes the order it
  // was given (bootindex) to its variable store, so the PXE boot runs on a throwaway copy and
  // the next boot finds the machine's own store, where the disk comes first.
  const onceVars = vm.firmware === 'uefi' ? `  cp ${sh(OVMF_VARS)} ${sh(join(vm.dir, 'OVMF_VARS.once.fd'))}\n` : '';
  const line = (device: 'pxe' | 'default') =>
    ['exec', 'ip', 'netns', 'exec', rackNs, 'qemu-system-x86_64', ...qemuArgs(vm, tap, device)].map(sh).join(' ');
  await writeFile(
    join(vm.dir, 'qemu'),
    `#!/bin/sh\n# ${vm.name}: one boot of the VM (written by the lab)\nif [ "$1" = pxe ]; then\n${onceVars}  ${line('pxe')}\nfi\n${line('default')}\n`,
    { mode: 0o755 },
  );
  await writeFile(join(vm.dir, 'vm'), `#!/bin/sh\nexec ${sh(VM_CHASSIS)} ${sh(vm.dir)} "$@"\n`, { mode: 0o755 });
}

export async function vmCommand(vm: Vm, ...args: string[]): Promise<string> {
  return (await run(join(vm.dir, 'vm'), args)).stdout.trim();
}

export interface DiskReport {
  marker?: string;
  ignition?: Buffer;
}

// What the stand-in wrote to the install device: its marker line and the ignition after it.
export async function readDisk(vm: Vm): Promise<DiskReport> {
  const disk = await readFile(vm.disk);
  const area = disk.subarray(IGNITION_OFFSET, IGNITION_OFFSET + 4096);
  const end = area.indexOf(0x0a);
  if (end < 0 || !area.subarray(0, 12).toString().startsWith('FYR-STANDIN')) return {};
  const marker = area.subarray(0, end).toString();
  const bytes = Number(/ignbytes=(\d+)/.exec(marker)?.[1] ?? 0);
  return { marker, ignition: disk.subarray(IGNITION_OFFSET + 4096, IGNITION_OFFSET + 4096 + bytes) };
}

// Serial lines that mark a boot's steps, for the timeline and the asserts.
export const SERIAL_MARKS: ReadonlyArray<{ step: string; pattern: RegExp }> = [
  { step: 'firmware PXE', pattern: /iPXE initialising devices|>>Start PXE over IPv4/ },
  { step: 'pxelinux', pattern: /PXELINUX 6\.04/ },
  { step: 'GRUB', pattern: /Welcome to GRUB!/ },
  { step: 'menu', pattern: /glue: file \/uefi\/grub\.cfg-01-|Loading http:\/\/[0-9.:]+\/rhcos\/kernel/ },
  { step: 'default menu', pattern: /Booting from local disk|glue: file \/uefi\/grub\.cfg\r?$/m },
  { step: 'kernel', pattern: /Linux version \d/ },
  { step: 'stand-in', pattern: /FYR-STANDIN: mac=/ },
  { step: 'written', pattern: /FYR-STANDIN: installed to / },
  { step: 'installed', pattern: /FYR-DISK: installed/ },
];

// The console as text: SeaBIOS's serial console interleaves cursor moves (CSI sequences) into
// what it echoes, splitting words ("PXELINUX \x1b[25;09H6.04") depending on timing.
export async function serialText(vm: Vm): Promise<string> {
  return (await readFile(vm.serial, 'latin1').catch(() => ''))
    .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
    .replace(/\r/g, '');
}

// A console's last lines, indented, for a failure message (a CI run keeps no artifacts).
export function consoleTail(text: string, lines = 12): string {
  const kept = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-lines);
  return kept.map((l) => `      | ${l.trimEnd()}`).join('\n');
}
