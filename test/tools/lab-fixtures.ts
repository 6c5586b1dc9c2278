// Builds what the virtual site (make lab, test/lab/) boots, from Debian parts, into
// test/fixtures/lab/build/ (see test/fixtures/INDEX.md):
//   - a stand-in RHCOS: Debian's kernel and an initramfs of busybox, the virtio-net and NVMe
//     modules and an /init that does what the RHCOS live initramfs does with fyr's menus (reads
//     coreos.live.rootfs_url, coreos.inst.ignition_url and coreos.inst.install_dev, fetches both
//     over HTTP, writes the image and the ignition to the install device, reboots);
//   - its "rootfs": the image it writes, a 16 MiB disk whose BIOS boot code and UEFI ESP print
//     "FYR-DISK: installed" on the serial console and then idle with the CPU halted, as an
//     installed node stays up (its power is its BMC's: the lab shuts it down and powers it on);
//   - the boot loaders from Debian's packages (files only, never installed): lpxelinux.0 and
//     ldlinux.c32 (pxelinux, syslinux-common), shimx64.efi (shim-signed), grubnetx64.efi as
//     grubx64.efi (grub-efi-amd64-signed), and the GRUB modules Debian's net GRUB lacks.
// Deterministic; rebuilt only when this file, the glue or a package changes (.stamp).
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { extractKernel, fatImage, kernelPackage, moduleFiles, moduleOrder, writeCpio } from './iso-fixtures.js';

export const LAB_FIXTURE_DIR = 'test/fixtures/lab/build';
// The lab's one bridge between Debian's net GRUB and RHEL's (committed, documented).
export const GRUB_GLUE = 'test/fixtures/lab/grub-glue.cfg';
const CACHE = 'test/fixtures/lab/cache';
// Files only: unpacked with dpkg-deb, never installed.
const PACKAGES = ['pxelinux', 'syslinux-common', 'shim-signed', 'grub-efi-amd64-signed', 'grub-efi-amd64-bin'];
const MODULES = ['virtio_pci', 'virtio_net', 'nvme'];
// What Debian's grubnetx64.efi fetches from (tftp)/grub/x86_64-efi/ for fyr's menus and the glue.
const GRUB_MODULES = ['http', 'regexp'];
export const DISK_BYTES = 16 << 20;
// Where the stand-in writes its marker line and, 4 KiB after it, the ignition (past the ESP).
export const IGNITION_OFFSET = 8 << 20;
const ESP = { first: 2048, last: 6143 };

export const LAB_FILES = {
  kernel: 'vmlinuz',
  initramfs: 'initramfs.img',
  rootfs: 'rootfs.img',
  lpxelinux: 'loaders/lpxelinux.0',
  ldlinux: 'loaders/ldlinux.c32',
  shim: 'loaders/shimx64.efi',
  grub: 'loaders/grubx64.efi',
  grubModules: 'loaders/grub/x86_64-efi',
} as const;

const INIT = `#!/bin/busybox sh
# fyr lab: a stand-in for the RHCOS live initramfs (not RHCOS; see test/fixtures/INDEX.md).
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
say() { echo "FYR-STANDIN: $*"; }
fail() { say "FAILED: $*"; sleep 2; reboot -f; }
for m in $(cat /modules/order); do insmod /modules/$m.ko 2>/dev/null; done
rootfs="" ign="" dev=""
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    coreos.live.rootfs_url=*) rootfs="\${arg#*=}" ;;
    coreos.inst.ignition_url=*) ign="\${arg#*=}" ;;
    coreos.inst.install_dev=*) dev="\${arg#*=}" ;;
  esac
done
[ -n "$rootfs" ] && [ -n "$ign" ] && [ -n "$dev" ] || fail "the kernel command line lacks coreos.live.rootfs_url, coreos.inst.ignition_url or coreos.inst.install_dev"
case "$dev" in /dev/*) ;; *) dev="/dev/$dev" ;; esac
for i in 1 2 3 4 5 6 7 8 9 10; do [ -e /sys/class/net/eth0 ] && break; sleep 1; done
mac=$(cat /sys/class/net/eth0/address)
ip link set lo up
ip link set eth0 up
udhcpc -i eth0 -n -q -t 10 -s /udhcpc.script >/dev/null 2>&1 || fail "no DHCP lease on eth0 ($mac)"
say "mac=$mac address=$(ip -4 -o addr show eth0 | awk '{print $4}')"
wget -q -O /tmp/rootfs "$rootfs" || fail "cannot fetch $rootfs"
wget -q -O /tmp/ignition "$ign" || fail "cannot fetch $ign"
for i in 1 2 3 4 5 6 7 8 9 10; do [ -b "$dev" ] && break; sleep 1; done
[ -b "$dev" ] || fail "no install device $dev"
r=$(sha256sum /tmp/rootfs | cut -c1-16)
g=$(sha256sum /tmp/ignition | cut -c1-16)
dd if=/tmp/rootfs of="$dev" bs=1M conv=fsync 2>/dev/null || fail "cannot write $dev"
printf 'FYR-STANDIN mac=%s ok=1 rootfs=%s ign=%s dev=%s ignbytes=%s\\n' "$mac" "$r" "$g" "$dev" "$(wc -c < /tmp/ignition)" > /tmp/marker
dd if=/tmp/marker of="$dev" bs=4096 seek=${IGNITION_OFFSET / 4096} conv=notrunc,fsync 2>/dev/null
dd if=/tmp/ignition of="$dev" bs=4096 seek=${IGNITION_OFFSET / 4096 + 1} conv=notrunc,fsync 2>/dev/null
sync
say "installed to $dev: rootfs=$r ign=$g; rebooting"
reboot -f
`;

// udhcpc hands the lease to this script; it configures eth0 like NetworkManager would.
const UDHCPC_SCRIPT = `#!/bin/busybox sh
case "$1" in
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/\${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route add default via "\${router%% *}" dev "$interface" 2>/dev/null
    ;;
esac
exit 0
`;

// 16-bit boot sector code (loaded at 0x7c00): write MESSAGE to COM1 (0x3f8), then halt with
// interrupts off: an idle machine (qemu under TCG sleeps on hlt) until its BMC powers it off.
//   cli; xor ax,ax; mov ds,ax; mov si,msg; mov dx,0x3f8
//   next: lodsb; test al,al; jz done; out dx,al; jmp next
//   done: hlt; jmp done
function biosBootCode(message: string): Buffer {
  const msgAt = 0x7c00 + 22;
  const code = Buffer.from([
    0xfa,
    0x31,
    0xc0,
    0x8e,
    0xd8,
    0xbe,
    msgAt & 0xff,
    msgAt >> 8,
    0xba,
    0xf8,
    0x03,
    0xac,
    0x84,
    0xc0,
    0x74,
    0x03,
    0xee,
    0xeb,
    0xf8,
    0xf4,
    0xeb,
    0xfd,
  ]);
  const out = Buffer.concat([code, Buffer.from(`${message}\r\n\0`, 'latin1')]);
  if (out.length > 440) throw new Error('boot code does not fit the MBR');
  return out;
}

// The UEFI side's idle: a minimal PE32+ EFI application (one .text section, no relocations:
// its code is position-independent) whose entry point is `cli; hlt; jmp $-1`. GRUB prints the
// marker and chainloads it; GRUB itself cannot wait without spinning (its sleep polls the
// timer), which would keep a host core busy per idle VM.
export function idleEfiApp(): Buffer {
  const file = Buffer.alloc(0x400);
  file.write('MZ', 0, 'latin1');
  file.writeUInt32LE(0x40, 0x3c); // e_lfanew
  file.write('PE\0\0', 0x40, 'latin1');
  const coff = 0x44;
  file.writeUInt16LE(0x8664, coff); // Machine: x86-64
  file.writeUInt16LE(1, coff + 2); // NumberOfSections
  file.writeUInt16LE(0xf0, coff + 16); // SizeOfOptionalHeader (PE32+, 16 data directories)
  file.writeUInt16LE(0x0022, coff + 18); // EXECUTABLE_IMAGE | LARGE_ADDRESS_AWARE
  const opt = coff + 20;
  file.writeUInt16LE(0x20b, opt); // PE32+
  file.writeUInt32LE(0x200, opt + 4); // SizeOfCode
  file.writeUInt32LE(0x1000, opt + 16); // AddressOfEntryPoint
  file.writeUInt32LE(0x1000, opt + 20); // BaseOfCode
  file.writeBigUInt64LE(0x10000000n, opt + 24); // ImageBase
  file.writeUInt32LE(0x1000, opt + 32); // SectionAlignment
  file.writeUInt32LE(0x200, opt + 36); // FileAlignment
  file.writeUInt32LE(0x2000, opt + 56); // SizeOfImage
  file.writeUInt32LE(0x200, opt + 60); // SizeOfHeaders
  file.writeUInt16LE(10, opt + 68); // Subsystem: EFI application
  file.writeBigUInt64LE(0x10000n, opt + 72); // SizeOfStackReserve
  file.writeBigUInt64LE(0x1000n, opt + 80); // SizeOfStackCommit
  file.writeBigUInt64LE(0x10000n, opt + 88); // SizeOfHeapReserve
  file.writeBigUInt64LE(0x1000n, opt + 96); // SizeOfHeapCommit
  file.writeUInt32LE(16, opt + 108); // NumberOfRvaAndSizes (all empty)
  const section = opt + 0xf0;
  file.write('.text', section, 'latin1');
  file.writeUInt32LE(0x1000, section + 8); // VirtualSize
  file.writeUInt32LE(0x1000, section + 12); // VirtualAddress
  file.writeUInt32LE(0x200, section + 16); // SizeOfRawData
  file.writeUInt32LE(0x200, section + 20); // PointerToRawData
  file.writeUInt32LE(0x60000020, section + 36); // CODE | EXECUTE | READ
  Buffer.from([0xfa, 0xf4, 0xeb, 0xfd]).copy(file, 0x200);
  return file;
}

const DISK_GRUB_CFG = `echo "FYR-DISK: installed, booted from the disk (UEFI)"
chainloader /EFI/BOOT/IDLE.EFI
boot
`;

async function download(): Promise<Map<string, string>> {
  mkdirSync(CACHE, { recursive: true });
  const have = () => new Map(readdirSync(CACHE).map((f) => [f.split('_')[0]!, join(CACHE, f)] as const));
  const missing = PACKAGES.filter((p) => !have().has(p));
  if (missing.length > 0) {
    const r = await execa('apt-get', ['download', ...missing], { cwd: CACHE, reject: false });
    if (r.exitCode !== 0) {
      await execa('apt-get', ['update', '-qq']);
      await execa('apt-get', ['download', ...missing], { cwd: CACHE });
    }
  }
  const debs = have();
  for (const p of PACKAGES) if (!debs.has(p)) throw new Error(`apt-get download ${p} left no .deb in ${CACHE}`);
  return debs;
}

async function unpack(deb: string, into: string, members: string[]): Promise<void> {
  mkdirSync(into, { recursive: true });
  await execa('dpkg-deb', ['--fsys-tarfile', deb], { buffer: false }).pipe('tar', [
    '-x',
    '-C',
    into,
    '--wildcards',
    ...members,
  ]);
}

async function buildInitramfs(work: string, modules: string, out: string): Promise<void> {
  const root = join(work, 'initramfs');
  for (const dir of ['bin', 'proc', 'sys', 'dev', 'tmp', 'modules']) mkdirSync(join(root, dir), { recursive: true });
  copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
  chmodSync(join(root, 'bin/busybox'), 0o755);
  writeFileSync(join(root, 'init'), INIT, { mode: 0o755 });
  writeFileSync(join(root, 'udhcpc.script'), UDHCPC_SCRIPT, { mode: 0o755 });
  const files = moduleFiles(modules);
  const order = moduleOrder(files, MODULES);
  for (const name of MODULES) if (!order.includes(name)) throw new Error(`the kernel package has no ${name}.ko`);
  for (const name of order) copyFileSync(files.get(name)!, join(root, 'modules', `${name}.ko`));
  writeFileSync(join(root, 'modules/order'), `${order.join('\n')}\n`);
  const list = [
    '.',
    'bin',
    'bin/busybox',
    'init',
    'udhcpc.script',
    'proc',
    'sys',
    'dev',
    'tmp',
    'modules',
    'modules/order',
    ...order.map((m) => `modules/${m}.ko`),
  ];
  const cpio = join(work, 'initramfs.cpio');
  await writeCpio(root, list, cpio);
  const gz = await execa('gzip', ['-9', '-n', '-c', cpio], { encoding: 'buffer' });
  writeFileSync(out, gz.stdout);
}

// The image the stand-in installs: GPT with one ESP (GRUB printing the marker), and the BIOS
// boot code in the protective MBR's code area.
async function buildDisk(work: string, out: string): Promise<void> {
  const cfg = join(work, 'disk-grub.cfg');
  writeFileSync(cfg, DISK_GRUB_CFG);
  const efi = join(work, 'BOOTX64.EFI');
  await execa('grub-mkimage', [
    '-O',
    'x86_64-efi',
    '-p',
    '/EFI/BOOT',
    '-c',
    cfg,
    '-o',
    efi,
    'echo',
    'chain',
    'fat',
    'part_gpt',
  ]);
  const idle = join(work, 'IDLE.EFI');
  writeFileSync(idle, idleEfiApp());
  const esp = join(work, 'esp.img');
  const espKib = ((ESP.last - ESP.first + 1) * 512) / 1024;
  await fatImage(esp, { '/EFI/BOOT/BOOTX64.EFI': efi, '/EFI/BOOT/IDLE.EFI': idle }, { label: 'FYRDISK', kib: espKib });
  const disk = join(work, 'disk.img');
  writeFileSync(disk, Buffer.alloc(DISK_BYTES));
  await execa('sgdisk', [
    '-U',
    'F0F0F0F0-0000-4000-8000-000000000001',
    '-n',
    `1:${ESP.first}:${ESP.last}`,
    '-t',
    '1:ef00',
    '-c',
    '1:EFI-SYSTEM',
    '-u',
    '1:F0F0F0F0-0000-4000-8000-000000000002',
    disk,
  ]);
  const image = readFileSync(disk);
  readFileSync(esp).copy(image, ESP.first * 512);
  biosBootCode('FYR-DISK: installed, booted from the disk (BIOS)').copy(image, 0);
  writeFileSync(out, image);
}

function closure(moddep: string, wanted: readonly string[]): string[] {
  const deps = new Map(
    moddep
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [name, rest] = l.split(':');
        return [name!, (rest ?? '').trim().split(/\s+/).filter(Boolean)] as const;
      }),
  );
  const out: string[] = [];
  const visit = (m: string) => {
    if (out.includes(m)) return;
    for (const d of deps.get(m) ?? []) visit(d);
    out.push(m);
  };
  for (const m of wanted) visit(m);
  return out;
}

function stamp(debs: Map<string, string>, kernelDeb: string): string {
  const h = createHash('sha256')
    .update(readFileSync(new URL(import.meta.url)))
    .update(readFileSync(GRUB_GLUE));
  for (const d of [...debs.values(), kernelDeb].sort()) h.update(d);
  return h.digest('hex');
}

export async function buildLabFixtures(log: (line: string) => void = () => {}): Promise<void> {
  const debs = await download();
  const kernelDeb = await kernelPackage();
  const stampFile = join(LAB_FIXTURE_DIR, '.stamp');
  const want = stamp(debs, kernelDeb);
  if (
    existsSync(stampFile) &&
    readFileSync(stampFile, 'utf8') === want &&
    Object.values(LAB_FILES).every((f) => existsSync(join(LAB_FIXTURE_DIR, f)))
  ) {
    log(`fixtures: the lab's stand-in RHCOS and loaders in ${LAB_FIXTURE_DIR} are up to date`);
    return;
  }
  const work = join(CACHE, 'work');
  rmSync(work, { recursive: true, force: true });
  rmSync(LAB_FIXTURE_DIR, { recursive: true, force: true });
  mkdirSync(join(LAB_FIXTURE_DIR, LAB_FILES.grubModules), { recursive: true });
  const kernel = await extractKernel(kernelDeb, join(work, 'kernel'), [
    'drivers/net',
    'drivers/nvme',
    'drivers/virtio',
    'net/core',
    'block',
    'lib',
    'crypto',
  ]);
  copyFileSync(kernel.vmlinuz, join(LAB_FIXTURE_DIR, LAB_FILES.kernel));
  await buildInitramfs(work, kernel.modules, join(LAB_FIXTURE_DIR, LAB_FILES.initramfs));
  await buildDisk(work, join(LAB_FIXTURE_DIR, LAB_FILES.rootfs));
  const pkgs = join(work, 'packages');
  await unpack(debs.get('pxelinux')!, pkgs, ['./usr/lib/PXELINUX/lpxelinux.0']);
  await unpack(debs.get('syslinux-common')!, pkgs, ['./usr/lib/syslinux/modules/bios/ldlinux.c32']);
  await unpack(debs.get('shim-signed')!, pkgs, ['./usr/lib/shim/shimx64.efi.signed']);
  await unpack(debs.get('grub-efi-amd64-signed')!, pkgs, ['./usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed']);
  await unpack(debs.get('grub-efi-amd64-bin')!, pkgs, [
    './usr/lib/grub/x86_64-efi/*.mod',
    './usr/lib/grub/x86_64-efi/moddep.lst',
  ]);
  const put = (from: string, to: string) => copyFileSync(join(pkgs, from), join(LAB_FIXTURE_DIR, to));
  put('usr/lib/PXELINUX/lpxelinux.0', LAB_FILES.lpxelinux);
  put('usr/lib/syslinux/modules/bios/ldlinux.c32', LAB_FILES.ldlinux);
  put('usr/lib/shim/shimx64.efi.signed', LAB_FILES.shim);
  put('usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed', LAB_FILES.grub);
  const mods = join(pkgs, 'usr/lib/grub/x86_64-efi');
  for (const m of closure(readFileSync(join(mods, 'moddep.lst'), 'utf8'), GRUB_MODULES))
    copyFileSync(join(mods, `${m}.mod`), join(LAB_FIXTURE_DIR, LAB_FILES.grubModules, `${m}.mod`));
  rmSync(work, { recursive: true, force: true });
  writeFileSync(stampFile, want);
  log(
    `fixtures: built the lab's stand-in RHCOS (kernel, initramfs, 16 MiB disk image) and loaders in ${LAB_FIXTURE_DIR}`,
  );
}
