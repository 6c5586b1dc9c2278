// xorriso's command lines (pure builders, tested against literal arrays) and the parsing of
// what it reports. Commands are order-sensitive: -pkt_output first so every message is
// tagged, -indev/-outdev before the boot replay, edits after it.

// The ESP's MBR partition type (see bootArgs).
export const ESP_MBR_TYPE = '0xef';

export function inspectArgs(base: string): string[] {
  return [
    '-pkt_output',
    'on',
    '-abort_on',
    'FAILURE',
    '-indev',
    base,
    '-report_el_torito',
    'cmd',
    '-find',
    '/',
    '-type',
    'f',
  ];
}

export interface BaseReport {
  volumeId: string;
  // The -boot_image and -append_partition commands "replay" would run, in order.
  bootCommands: string[];
  files: string[];
}

// Unquotes xorriso's '...' quoting ('\'' for a quote inside).
function unquote(text: string): string {
  return text.replace(/'((?:[^']|'\\'')*)'/g, (_, inner: string) => inner.replace(/'\\''/g, "'"));
}

export function parseInspect(output: string): BaseReport {
  let volumeId = '';
  const bootCommands: string[] = [];
  const files: string[] = [];
  for (const line of output.split('\n')) {
    const info = /^I:1: Volume id\s*:\s*'(.*)'\s*$/.exec(line);
    if (info) volumeId = info[1]!;
    const result = /^R:1: (.*)$/.exec(line);
    if (!result) continue;
    const text = result[1]!;
    if (/^-(boot_image|append_partition) /.test(text)) {
      bootCommands.push(text);
    } else if (text.startsWith("'/")) {
      files.push(unquote(text));
    }
  }
  return { volumeId, bootCommands, files };
}

export type BootLayout =
  | { kind: 'el9'; biosImage: string; efiImage: string }
  | { kind: 'el10'; biosImage: string; esp: { offset: number; length: number } };

export interface LayoutProblem {
  found: string;
}

function setting(commands: readonly string[], key: string): string | undefined {
  for (const c of commands) {
    const m = new RegExp(`^-boot_image \\S+ ${key}=(.*)$`).exec(c);
    if (m) return unquote(m[1]!);
  }
  return undefined;
}

// RHEL 9: isolinux for BIOS, images/efiboot.img in the tree for EFI. RHEL 10 / Fedora 37+:
// GRUB's eltorito.img for BIOS, the ESP as appended GPT partition 2 for EFI.
export function detectLayout(report: BaseReport): BootLayout | LayoutProblem {
  const bios = setting(report.bootCommands, 'bin_path');
  const efi = setting(report.bootCommands, 'efi_path');
  const isolinux = report.bootCommands.some((c) => c.startsWith('-boot_image isolinux bin_path='));
  const grub = report.bootCommands.some((c) => c.startsWith('-boot_image grub bin_path='));
  if (isolinux && bios && efi && efi.startsWith('/') && report.files.includes(efi))
    return { kind: 'el9', biosImage: bios, efiImage: efi };
  const appended = report.bootCommands
    .map((c) => /^-append_partition 2 \S+ --interval:imported_iso:(\d+)d-(\d+)d::/.exec(c))
    .find(Boolean);
  if (grub && bios && efi?.startsWith('--interval:appended_partition_2') && appended) {
    const first = Number(appended[1]);
    const last = Number(appended[2]);
    return { kind: 'el10', biosImage: bios, esp: { offset: first * 512, length: (last - first + 1) * 512 } };
  }
  const parts = [
    `BIOS boot image: ${bios ?? 'none'}${isolinux ? ' (isolinux)' : grub ? ' (GRUB)' : ''}`,
    `EFI boot image: ${efi ?? 'none'}`,
  ];
  if (report.bootCommands.some((c) => c.startsWith('-append_partition'))) parts.push('an appended partition');
  return { found: parts.join(', ') };
}

// One line of xorriso's "-report_el_torito cmd" as an argument array.
export function commandArgv(line: string): string[] {
  return (line.match(/(?:[^\s']+|'(?:[^']|'\\'')*')+/g) ?? []).map(unquote);
}

// The boot equipment of an image whose EFI boot image is its appended ESP (RHEL 10), as
// explicit commands: "replay" cannot point El Torito at an appended partition when it grows an
// image, so the base's commands are given, with the partition named by number. xorriso writes
// the ESP as MBR partition 2 (type 0xef) and fyr then writes the GPT the base had (gpt.ts):
// xorriso 1.5.4, growing an image past 4 GiB, wraps the volume size with a partition offset or
// a GRUB partition table and refuses a GPT appended partition as overlapping.
const GROW_BREAKS = /^(partition_offset|partition_table|appended_part_as|iso_mbr_part_type)=/;

export function bootArgs(report: BaseReport): string[] {
  return report.bootCommands
    .filter((c) => c.startsWith('-boot_image '))
    .map(commandArgv)
    .filter((argv) => !GROW_BREAKS.test(argv[2] ?? ''))
    .flat()
    .map((a) =>
      a.replace(
        /^efi_path=--interval:appended_partition_(\d+)_start_\d+s_size_\d+d:/,
        'efi_path=--interval:appended_partition_$1:',
      ),
    );
}

export interface ReleaseWrite {
  // The image to grow: a copy of the base with fyr's payload tree (payload-session.ts). xorriso
  // adds one session after it and rewrites the superblock at the start (no_emul_toc: no copies
  // of it kept at session starts); the payload's bytes are not read or moved.
  image: string;
  volumeId: string;
  // The base's boot equipment: replayed, or these -boot_image arguments (bootArgs).
  boot: 'replay' | readonly string[];
  // Edited copies of files in the base image: [disk path, ISO path].
  updates: ReadonlyArray<readonly [string, string]>;
  // New small files: [disk path, ISO path], in the order they should be laid out.
  maps: ReadonlyArray<readonly [string, string]>;
  // ISO paths to place after everything else, in this order (the embed areas, release.json).
  last: readonly string[];
  // A replacement EFI system partition image (RHEL 10 layout).
  esp?: string;
  epoch: number;
}

// The base image's boot equipment replayed, the edits and the embed areas, in one session
// appended to the image. No fsync every 16 MiB (-stdio_sync off), like cp. The pacifier looks
// at the write every 0.1 s, not every second: xorriso ends only when it looks (lay-out.ts).
export function releaseArgs(w: ReleaseWrite): string[] {
  const args = [
    '-pkt_output',
    'on',
    '-report_about',
    'UPDATE',
    '-abort_on',
    'FAILURE',
    '-pacifier',
    'interval=0.1',
    '-stdio_sync',
    'off',
  ];
  args.push(
    '-dev',
    `stdio:${w.image}`,
    ...(w.boot === 'replay' ? ['-boot_image', 'any', 'replay'] : w.boot),
    '-volid',
    w.volumeId,
  );
  // Level 3 lets a payload file over 4 GiB be recorded in several extents.
  args.push('-compliance', 'iso_9660_level=3:no_emul_toc');
  for (const [disk, iso] of w.updates) args.push('-update', disk, iso);
  for (const [disk, iso] of w.maps) args.push('-map', disk, iso);
  if (w.esp) args.push('-append_partition', '2', ESP_MBR_TYPE, w.esp);
  // Higher weights come first; the embed areas get the lowest so they end the file data.
  w.last.forEach((iso, i) => args.push('-find', iso, '-exec', 'sort_weight', String(-1 - i), '--'));
  // Every node's date (xorriso's tree is the base's and its own: fyr's payload is not in it).
  args.push('-alter_date_r', 'b', `=${w.epoch}`, '/', '--');
  return args;
}

export interface WriteProgress {
  percent: number;
  sectors: number;
}

// "I:1: xorriso : UPDATE : Writing:     11672s    5.6%   fifo  99%  buf  50%   72.3xD"
export function parseProgress(line: string): WriteProgress | undefined {
  const m = /UPDATE : Writing:\s+(\d+)s\s+([\d.]+)%/.exec(line);
  return m ? { sectors: Number(m[1]), percent: Number(m[2]) } : undefined;
}

// xorriso's own complaints, for the error message when it fails.
export function isProblemLine(line: string): boolean {
  return /: (FATAL|FAILURE|SORRY|MISHAP|WARNING) :/.test(line);
}
