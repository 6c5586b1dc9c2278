// Builds the tiny stand-ins for RHEL installer ISOs that the release tests remaster and boot.
// Debian's kernel, busybox, isolinux and GRUB, laid out like lorax lays out RHEL 9 (isolinux BIOS,
// images/efiboot.img in the tree) and RHEL 10 (GRUB BIOS images/eltorito.img, the ESP as
// appended GPT partition 2). The init prints what a test needs to the serial console; see
// test/fixtures/INDEX.md. Deterministic; rebuilt only when this file or the kernel changes.
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { execa } from 'execa';
import { udevEscape } from '../../src/release/boot-menu.js';

export const ISO_FIXTURE_DIR = 'test/fixtures/iso/build';
export const KERNEL_CACHE = 'test/fixtures/iso/cache';
const CACHE = KERNEL_CACHE;
export const EPOCH = 1_700_000_000;
const ESP_GUID = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';

export interface IsoFixture {
  name: string;
  layout: 'el9' | 'el10';
  volid: string;
}

export const ISO_FIXTURES: readonly IsoFixture[] = [
  { name: 'el9', layout: 'el9', volid: 'RHEL-9-4-0-BaseOS-x86_64' },
  { name: 'el10', layout: 'el10', volid: 'RHEL-10-0-BaseOS-x86_64' },
  // lorax escapes the label for the kernel command line the udev way (\x20); GRUB's parser
  // eats the backslash, so this base ISO does not even boot its own UEFI entries correctly.
  { name: 'el9-spaces', layout: 'el9', volid: 'RHEL 9.4 BaseOS x86_64' },
];

// The modules the init loads to see an IDE CD-ROM and a USB (xHCI) stick; dependencies are
// read from each module's .modinfo and loaded first.
const WANTED_MODULES = ['ata_piix', 'sr_mod', 'isofs', 'xhci_pci', 'usb_storage', 'sd_mod'];

const INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "FYR-CMDLINE: $(cat /proc/cmdline)"
for m in $(cat /modules/order); do insmod /modules/$m.ko 2>/dev/null; done
ks=""
stage2=""
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    inst.ks=*) ks="\${arg#inst.ks=}" ;;
    inst.stage2=*) stage2="\${arg#inst.stage2=}" ;;
  esac
done
finish() { echo "FYR-DONE"; sync; poweroff -f; }
[ -n "$ks" ] || { echo "FYR-ERROR: no inst.ks on the command line"; finish; }
case "$ks" in hd:LABEL=*:/*) ;; *) echo "FYR-ERROR: inst.ks is not hd:LABEL=...:/path: $ks"; finish ;; esac
rest="\${ks#hd:LABEL=}"
path="/\${rest##*:/}"
raw="\${rest%:/*}"
label="$(printf "$raw")"
echo "FYR-LABEL: $label"
if [ "hd:LABEL=$raw" = "$stage2" ]; then echo "FYR-STAGE2: same label"; else echo "FYR-STAGE2: differs: $stage2"; fi
dev=""
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
  dev="$(findfs "LABEL=$label" 2>/dev/null)" && break
  sleep 1
done
[ -n "$dev" ] || { echo "FYR-ERROR: no device with label $label"; finish; }
mkdir -p /mnt
mount -t iso9660 -o ro "$dev" /mnt || { echo "FYR-ERROR: cannot mount $dev"; finish; }
echo "FYR-DEVICE: $dev"
echo "FYR-KS: $(head -n 1 "/mnt$path")"
finish
`;

export async function kernelPackage(): Promise<string> {
  mkdirSync(CACHE, { recursive: true });
  const existing = readdirSync(CACHE).find((f) => /^linux-image-.*\.deb$/.test(f));
  if (existing) return join(CACHE, existing);
  // A machine whose package lists were cleaned knows no kernel package until apt-get update.
  const depends = async () =>
    /Depends: (linux-image-[0-9][^\s]*)/.exec(
      (await execa('apt-cache', ['depends', 'linux-image-amd64'], { reject: false })).stdout,
    )?.[1];
  let pkg = await depends();
  if (!pkg) {
    await execa('apt-get', ['update', '-qq']);
    pkg = await depends();
  }
  if (!pkg) throw new Error('cannot tell which kernel package linux-image-amd64 depends on');
  // apt-get download writes into the current directory.
  await execa('apt-get', ['download', pkg], { cwd: CACHE });
  const deb = readdirSync(CACHE).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
  if (!deb) throw new Error(`apt-get download ${pkg} left no .deb in ${CACHE}`);
  return join(CACHE, deb);
}

// The kernel and the module directories given (under lib/modules/<version>/kernel/).
export async function extractKernel(
  deb: string,
  into: string,
  moduleDirs = ['drivers/ata', 'drivers/scsi', 'drivers/cdrom', 'drivers/usb', 'fs/isofs', 'lib', 'crypto', 'block'],
): Promise<{ vmlinuz: string; modules: string }> {
  mkdirSync(into, { recursive: true });
  const members = ['./boot/vmlinuz-*', ...moduleDirs.map((d) => `./lib/modules/*/kernel/${d}/*`)];
  await execa('dpkg-deb', ['--fsys-tarfile', deb], { buffer: false }).pipe('tar', [
    '-x',
    '-C',
    into,
    '--wildcards',
    ...members,
  ]);
  const vmlinuz = readdirSync(join(into, 'boot')).find((f) => f.startsWith('vmlinuz-'))!;
  const version = vmlinuz.slice('vmlinuz-'.length);
  return { vmlinuz: join(into, 'boot', vmlinuz), modules: join(into, 'lib/modules', version, 'kernel') };
}

export function moduleFiles(root: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ko')) found.set(entry.name.slice(0, -3).replace(/-/g, '_'), path);
    }
  };
  walk(root);
  return found;
}

// Dependency order from each module's "depends=" field, deepest first.
export function moduleOrder(files: Map<string, string>, wanted: readonly string[]): string[] {
  const order: string[] = [];
  const visit = (name: string) => {
    if (order.includes(name)) return;
    const file = files.get(name);
    if (!file) return; // built into the kernel
    const info = readFileSync(file);
    const at = info.indexOf('depends=');
    const deps =
      at < 0
        ? []
        : info
            .subarray(at + 8, info.indexOf(0, at))
            .toString()
            .split(',')
            .filter(Boolean);
    for (const dep of deps) visit(dep.replace(/-/g, '_'));
    order.push(name);
  };
  for (const name of wanted) visit(name);
  return order;
}

async function buildInitrd(work: string, modules: string, out: string): Promise<void> {
  const root = join(work, 'initrd');
  for (const dir of ['bin', 'proc', 'sys', 'dev', 'mnt', 'modules']) mkdirSync(join(root, dir), { recursive: true });
  copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
  chmodSync(join(root, 'bin/busybox'), 0o755);
  writeFileSync(join(root, 'init'), INIT, { mode: 0o755 });
  const files = moduleFiles(modules);
  const order = moduleOrder(files, WANTED_MODULES);
  for (const name of order) copyFileSync(files.get(name)!, join(root, 'modules', `${name}.ko`));
  writeFileSync(join(root, 'modules/order'), `${order.join('\n')}\n`);
  const list = [
    '.',
    'bin',
    'bin/busybox',
    'init',
    'proc',
    'sys',
    'dev',
    'mnt',
    'modules',
    'modules/order',
    ...order.map((m) => `modules/${m}.ko`),
  ];
  await writeCpio(root, list, out);
}

// A newc cpio of `list` (paths under root, in that order), every entry dated EPOCH, owned by root.
export async function writeCpio(root: string, list: readonly string[], out: string): Promise<void> {
  for (const f of list) utimesSync(join(root, f), EPOCH, EPOCH);
  const cpio = await execa('cpio', ['--quiet', '-o', '-H', 'newc', '--reproducible', '-R', '0:0'], {
    cwd: root,
    input: `${list.join('\n')}\n`,
    encoding: 'buffer',
  });
  writeFileSync(out, cpio.stdout);
}

function isolinuxCfg(volid: string): string {
  const label = udevEscape(volid);
  const entry = (name: string, title: string, extra: string, isDefault = false) =>
    `label ${name}\n  menu label ${title}\n${isDefault ? '  menu default\n' : ''}  kernel /images/pxeboot/vmlinuz\n  append initrd=/images/pxeboot/initrd.img inst.stage2=hd:LABEL=${label}${extra} console=ttyS0 quiet\n\n`;
  return (
    `serial 0 115200\ndefault menu.c32\ntimeout 600\n\nmenu title Red Hat Enterprise Linux 9.4 (fyr test fixture)\n\n` +
    entry('linux', '^Install Red Hat Enterprise Linux 9.4', '') +
    entry('check', 'Test this ^media & install Red Hat Enterprise Linux 9.4', ' rd.live.check', true) +
    `menu separator\nmenu begin ^Troubleshooting\n  menu title Troubleshooting\n\n` +
    entry('rescue', '^Rescue a Red Hat Enterprise Linux system', ' inst.rescue') +
    `label local\n  menu label Boot from ^local drive\n  localboot 0xffff\n\nmenu separator\nlabel returntomain\n  menu label Return to ^main menu\n  menu exit\n\nmenu end\n`
  );
}

function grubCfg(volid: string, efi: boolean, layout: 'el9' | 'el10'): string {
  const label = udevEscape(volid);
  const [linux, initrd] = layout === 'el9' && efi ? ['linuxefi', 'initrdefi'] : ['linux', 'initrd'];
  const entry = (indent: string, title: string, extra: string) =>
    `${indent}menuentry '${title}' --class red --class gnu-linux --class gnu --class os {\n` +
    `${indent}\t${linux} /images/pxeboot/vmlinuz inst.stage2=hd:LABEL=${label}${extra} console=ttyS0 quiet\n` +
    `${indent}\t${initrd} /images/pxeboot/initrd.img\n${indent}}\n`;
  return (
    `set default="1"\n\nserial --unit=0 --speed=115200\nterminal_input console serial\nterminal_output console serial\n\n` +
    `set timeout=60\n### END /etc/grub.d/00_header ###\n\nsearch --no-floppy --set=root -l '${volid}'\n\n### BEGIN /etc/grub.d/10_linux ###\n` +
    entry('', 'Install Red Hat Enterprise Linux', '') +
    entry('', 'Test this media & install Red Hat Enterprise Linux', ' rd.live.check') +
    `submenu 'Troubleshooting -->' {\n` +
    entry('\t', 'Install Red Hat Enterprise Linux in text mode', ' inst.text') +
    entry('\t', 'Rescue a Red Hat Enterprise Linux system', ' inst.rescue') +
    `}\n`
  );
}

// A FAT image of `kib` KiB holding `files` (image path -> source file), the same bytes every build.
export async function fatImage(
  out: string,
  files: Record<string, string>,
  { label = 'ANACONDA', kib = 4096 } = {},
): Promise<void> {
  rmSync(out, { force: true });
  await execa('mkfs.vfat', ['-C', '-n', label, '-i', '12345678', '--invariant', out, String(kib)]);
  const env = { MTOOLS_SKIP_CHECK: '1', SOURCE_DATE_EPOCH: String(EPOCH) };
  await execa('mmd', ['-i', out, '::/EFI', '::/EFI/BOOT'], { env });
  for (const [target, source] of Object.entries(files)) {
    utimesSync(source, EPOCH, EPOCH);
    await execa('mcopy', ['-m', '-i', out, source, `::${target}`], { env });
  }
}

// `stub`: small placeholders for the EFI and BIOS boot binaries, for an image that fyr release
// reads and rewrites but nothing boots (the frozen release fixture, freeze-release.ts).
export async function buildOne(
  fixture: IsoFixture,
  work: string,
  kernel: { vmlinuz: string; initrd: string },
  outDir = ISO_FIXTURE_DIR,
  stub = false,
): Promise<string> {
  const tree = join(work, fixture.name, 'tree');
  const put = (path: string, content: string | Buffer) => {
    mkdirSync(dirname(join(tree, path)), { recursive: true });
    writeFileSync(join(tree, path), content);
  };
  put('images/pxeboot/vmlinuz', readFileSync(kernel.vmlinuz));
  put('images/pxeboot/initrd.img', readFileSync(kernel.initrd));
  put(
    '.discinfo',
    `${EPOCH}.000000\nRed Hat Enterprise Linux ${fixture.layout === 'el9' ? '9.4' : '10.0'} (fyr test fixture)\nx86_64\n`,
  );
  const efiCfg = grubCfg(fixture.volid, true, fixture.layout);
  put('EFI/BOOT/grub.cfg', efiCfg);
  const bootx64 = join(tree, 'EFI/BOOT/BOOTX64.EFI');
  const efiModules = [
    'iso9660',
    'fat',
    'part_gpt',
    'part_msdos',
    'normal',
    'linux',
    'search',
    'search_label',
    'configfile',
    'echo',
    'test',
    'all_video',
    'serial',
    'terminal',
    'halt',
    'reboot',
  ];
  if (fixture.layout === 'el9') efiModules.push('linuxefi');
  if (stub) writeFileSync(bootx64, 'fyr frozen-fixture stand-in for BOOTX64.EFI\n');
  else await execa('grub-mkimage', ['-O', 'x86_64-efi', '-p', '/EFI/BOOT', '-o', bootx64, ...efiModules]);
  const esp = join(work, fixture.name, 'efiboot.img');
  const cfgCopy = join(work, fixture.name, 'esp-grub.cfg');
  writeFileSync(cfgCopy, efiCfg);
  await fatImage(esp, { '/EFI/BOOT/BOOTX64.EFI': bootx64, '/EFI/BOOT/grub.cfg': cfgCopy });
  const out = join(outDir, `${fixture.name}.iso`);
  let args: string[];
  if (fixture.layout === 'el9') {
    put('isolinux/isolinux.cfg', isolinuxCfg(fixture.volid));
    copyFileSync('/usr/lib/ISOLINUX/isolinux.bin', join(tree, 'isolinux/isolinux.bin'));
    for (const m of ['ldlinux.c32', 'libcom32.c32', 'libutil.c32', 'menu.c32'])
      copyFileSync(join('/usr/lib/syslinux/modules/bios', m), join(tree, 'isolinux', m));
    copyFileSync(esp, join(tree, 'images/efiboot.img'));
    args = [
      '-isohybrid-mbr',
      '/usr/lib/ISOLINUX/isohdpfx.bin',
      '-b',
      'isolinux/isolinux.bin',
      '-c',
      'isolinux/boot.cat',
      '-boot-load-size',
      '4',
      '-boot-info-table',
      '-no-emul-boot',
      '-eltorito-alt-boot',
      '-e',
      'images/efiboot.img',
      '-no-emul-boot',
      '-isohybrid-gpt-basdat',
    ];
  } else {
    put('boot/grub2/grub.cfg', grubCfg(fixture.volid, false, fixture.layout));
    const biosModules = [
      'iso9660',
      'biosdisk',
      'part_gpt',
      'part_msdos',
      'normal',
      'linux',
      'search',
      'search_label',
      'configfile',
      'echo',
      'test',
      'serial',
      'terminal',
      'halt',
      'reboot',
    ];
    if (stub) writeFileSync(join(tree, 'images/eltorito.img'), Buffer.alloc(2048, 0x90));
    else
      await execa('grub-mkimage', [
        '-O',
        'i386-pc-eltorito',
        '-p',
        '/boot/grub2',
        '-o',
        join(tree, 'images/eltorito.img'),
        ...biosModules,
      ]);
    args = [
      '--grub2-mbr',
      '/usr/lib/grub/i386-pc/boot_hybrid.img',
      '-partition_offset',
      '16',
      '-appended_part_as_gpt',
      '-append_partition',
      '2',
      ESP_GUID,
      esp,
      '-iso_mbr_part_type',
      'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7',
      '-c',
      'boot.cat',
      '--boot-catalog-hide',
      '-b',
      'images/eltorito.img',
      '-no-emul-boot',
      '-boot-load-size',
      '4',
      '-boot-info-table',
      '--grub2-boot-info',
      '-eltorito-alt-boot',
      '-e',
      '--interval:appended_partition_2:all::',
      '-no-emul-boot',
    ];
  }
  // Every file and directory dated EPOCH: xorriso records their times, and the image must be
  // the same bytes on every build.
  const stamp = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true }))
      if (entry.isDirectory()) stamp(join(path, entry.name));
    for (const entry of readdirSync(path)) utimesSync(join(path, entry), EPOCH, EPOCH);
  };
  stamp(tree);
  utimesSync(tree, EPOCH, EPOCH);
  const tmp = `${out}.tmp`;
  await execa('xorriso', ['-as', 'mkisofs', ...args, '-R', '-J', '-V', fixture.volid, '-o', tmp, tree], {
    env: { SOURCE_DATE_EPOCH: String(EPOCH), LANG: 'C' },
  });
  renameSync(tmp, out);
  return out;
}

function stamp(deb: string): string {
  return createHash('sha256')
    .update(readFileSync(new URL(import.meta.url)))
    .update(basename(deb))
    .digest('hex');
}

export async function buildIsoFixtures(log: (line: string) => void = () => {}): Promise<void> {
  const deb = await kernelPackage();
  const stampFile = join(ISO_FIXTURE_DIR, '.stamp');
  const want = stamp(deb);
  if (
    existsSync(stampFile) &&
    readFileSync(stampFile, 'utf8') === want &&
    ISO_FIXTURES.every((f) => existsSync(join(ISO_FIXTURE_DIR, `${f.name}.iso`)))
  ) {
    log(`fixtures: base ISOs in ${ISO_FIXTURE_DIR} are up to date`);
    return;
  }
  const work = join(CACHE, 'work');
  rmSync(work, { recursive: true, force: true });
  rmSync(ISO_FIXTURE_DIR, { recursive: true, force: true });
  mkdirSync(ISO_FIXTURE_DIR, { recursive: true });
  const kernel = await extractKernel(deb, join(work, 'kernel'));
  const initrd = join(work, 'initrd.img');
  await buildInitrd(work, kernel.modules, initrd);
  for (const fixture of ISO_FIXTURES) {
    await buildOne(fixture, work, { vmlinuz: kernel.vmlinuz, initrd });
    log(
      `fixtures: built ${join(ISO_FIXTURE_DIR, `${fixture.name}.iso`)} (${fixture.layout}, volume id "${fixture.volid}")`,
    );
  }
  rmSync(work, { recursive: true, force: true });
  writeFileSync(stampFile, want);
}
