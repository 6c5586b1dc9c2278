// Reading files and facts out of ISO images in tests, and booting them in qemu.
import { closeSync, copyFileSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { fileReader } from '../../src/util/fs.js';
import { findInIso, type ReadAt } from '../../src/iso9660/read.js';

export function withImage<T>(file: string, fn: (read: ReadAt) => T): T {
  const fd = openSync(file, 'r');
  try {
    return fn(fileReader(fd));
  } finally {
    closeSync(fd);
  }
}

export function readIsoFile(file: string, path: string): Buffer {
  return withImage(file, (read) => {
    const entry = findInIso(read, path);
    if (!entry) throw new Error(`${path} is not in ${file}`);
    return Buffer.concat(entry.extents.map((x) => read(x.offset, x.length)));
  });
}

export type Firmware = 'bios' | 'uefi';
export type Media = 'cd' | 'usb';

// Boots an image under TCG and returns what the fixture's init printed on the serial console.
export async function bootIso(iso: string, firmware: Firmware, media: Media, workdir: string): Promise<string> {
  const log = join(workdir, `${firmware}-${media}.log`);
  const args = [
    '-accel',
    'tcg',
    '-m',
    '512',
    '-display',
    'none',
    '-no-reboot',
    '-serial',
    `file:${log}`,
    '-monitor',
    'none',
    '-nodefaults',
    '-vga',
    'std',
  ];
  if (firmware === 'uefi') {
    const vars = join(workdir, `${media}-vars.fd`);
    copyFileSync('/usr/share/OVMF/OVMF_VARS_4M.fd', vars);
    args.push(
      '-drive',
      'if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd',
      '-drive',
      `if=pflash,format=raw,file=${vars}`,
    );
  }
  if (media === 'cd') args.push('-drive', `file=${iso},media=cdrom,readonly=on,if=ide,format=raw`);
  else
    args.push(
      '-drive',
      `if=none,id=stick,format=raw,readonly=on,file=${iso}`,
      '-device',
      'qemu-xhci',
      '-device',
      'usb-storage,drive=stick',
    );
  await execa('qemu-system-x86_64', args, { timeout: 150_000, reject: false });
  return readFileSync(log, 'latin1');
}
