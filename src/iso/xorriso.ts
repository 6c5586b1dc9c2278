// xorriso's command lines (pure builders, tested against literal arrays) and the parsing of
// what it reports. Commands are order-sensitive: -pkt_output first so every message is
// tagged, -indev/-outdev before the boot replay, edits after it.

export const ESP_TYPE_GUID = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';

export function inspectArgs(base: string): string[] {
  return ['-pkt_output', 'on', '-abort_on', 'FAILURE', '-indev', base, '-report_el_torito', 'cmd', '-find', '/', '-type', 'f'];
}

export interface BaseReport {
  volumeId: string;
  // The -boot_image and -append_partition commands "replay" would run.
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
      if (!bootCommands.includes(text)) bootCommands.push(text);
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
  if (isolinux && bios && efi && efi.startsWith('/') && report.files.includes(efi)) return { kind: 'el9', biosImage: bios, efiImage: efi };
  const appended = report.bootCommands.map((c) => /^-append_partition 2 \S+ --interval:imported_iso:(\d+)d-(\d+)d::/.exec(c)).find(Boolean);
  if (grub && bios && efi?.startsWith('--interval:appended_partition_2') && appended) {
    const first = Number(appended[1]);
    const last = Number(appended[2]);
    return { kind: 'el10', biosImage: bios, esp: { offset: first * 512, length: (last - first + 1) * 512 } };
  }
  const parts = [`BIOS boot image: ${bios ?? 'none'}${isolinux ? ' (isolinux)' : grub ? ' (GRUB)' : ''}`, `EFI boot image: ${efi ?? 'none'}`];
  if (report.bootCommands.some((c) => c.startsWith('-append_partition'))) parts.push('an appended partition');
  return { found: parts.join(', ') };
}

export interface ReleaseWrite {
  base: string;
  // The image file. xorriso writes it itself, front to back (no_emul_toc: without the emulated
  // multi-session TOC it would write the first 64 KiB last), and fyr hashes it from behind.
  output: string;
  volumeId: string;
  // Edited copies of files in the base image: [disk path, ISO path].
  updates: ReadonlyArray<readonly [string, string]>;
  // New files: [disk path, ISO path], in the order they should be laid out.
  maps: ReadonlyArray<readonly [string, string]>;
  // ISO paths to place after everything else, in this order (the embed areas, release.json).
  last: readonly string[];
  // A replacement EFI system partition image (RHEL 10 layout).
  esp?: string;
  epoch: number;
}

// One write: the base image's tree and boot equipment, the edits, the payload mapped from where
// it lies, straight to the output file. No fsync every 16 MiB (-stdio_sync off), like cp.
export function releaseArgs(w: ReleaseWrite): string[] {
  const args = ['-pkt_output', 'on', '-report_about', 'UPDATE', '-abort_on', 'FAILURE', '-pacifier', 'interval=1', '-stdio_sync', 'off'];
  args.push('-indev', w.base, '-outdev', `stdio:${w.output}`, '-boot_image', 'any', 'replay', '-volid', w.volumeId);
  // Level 3 lets a payload file over 4 GiB be recorded in several extents.
  args.push('-compliance', 'iso_9660_level=3:no_emul_toc');
  for (const [disk, iso] of w.updates) args.push('-update', disk, iso);
  for (const [disk, iso] of w.maps) args.push('-map', disk, iso);
  if (w.esp) args.push('-append_partition', '2', ESP_TYPE_GUID, w.esp);
  // Higher weights come first; the embed areas get the lowest so they end the file data.
  w.last.forEach((iso, i) => args.push('-find', iso, '-exec', 'sort_weight', String(-1 - i), '--'));
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
