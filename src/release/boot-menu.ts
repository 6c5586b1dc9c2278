// Edits the installer's boot menus (isolinux.cfg, GRUB's grub.cfg and BOOT.conf): every install
// entry gets inst.ks on the release's volume label, the plain install entry becomes the default,
// the timeout gets short, and every reference to the old label names the new one. Pure text in,
// text out, so each rule is tested on literal menus.

export interface MenuEdit {
  oldLabel: string;
  newLabel: string;
  ksPath: string;
  timeoutSeconds: number;
}

export interface EditedMenu {
  text: string;
  // Kernel lines that got inst.ks.
  installEntries: number;
  // Title or label of the entry made the default.
  defaultEntry: string;
}

// How lorax writes a label into a kernel argument (udev's escaping: \x20 for a space).
export const udevEscape = (label: string) =>
  label.replace(/[^A-Za-z0-9#+.:=@_-]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

// A volume id every boot loader passes through unchanged: no spaces, nothing to escape.
export const SAFE_VOLID = /^[A-Za-z0-9._-]{1,32}$/;

export function safeVolumeId(volid: string): string {
  const safe = volid
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 32);
  return safe === '' ? 'FYR_RELEASE' : safe;
}

function replaceLabel(text: string, edit: MenuEdit): string {
  if (edit.oldLabel === edit.newLabel) return text;
  // GRUB needs a doubled backslash to pass one through; lorax's \x20 then reaches the kernel.
  const forms = [udevEscape(edit.oldLabel).replace(/\\/g, '\\\\'), udevEscape(edit.oldLabel), edit.oldLabel];
  let out = text;
  for (const form of [...new Set(forms)].sort((a, b) => b.length - a.length)) out = out.split(form).join(edit.newLabel);
  return out;
}

const KERNEL_LINE = /^(\s*)(append|linux|linuxefi)(\s+)(.*)$/;

const isInstall = (args: string) => /(^|\s)inst\.(stage2|repo)=/.test(args) && !/(^|\s)inst\.rescue(\s|$)/.test(args);
const isPlainInstall = (args: string) => isInstall(args) && !/(^|\s)rd\.live\.check(\s|$)/.test(args);

// Drops any inst.ks and adds ours; everything else keeps its order and spelling.
function withKickstart(args: string, edit: MenuEdit): string {
  const kept = args.split(/\s+/).filter((a) => a !== '' && !a.startsWith('inst.ks='));
  return [...kept, `inst.ks=hd:LABEL=${edit.newLabel}:${edit.ksPath}`].join(' ');
}

function editKernelLines(lines: string[], edit: MenuEdit): number {
  let count = 0;
  lines.forEach((line, i) => {
    const m = KERNEL_LINE.exec(line);
    if (!m || !isInstall(m[4]!)) return;
    lines[i] = `${m[1]}${m[2]}${m[3]}${withKickstart(m[4]!, edit)}`;
    count++;
  });
  return count;
}

export function editIsolinux(text: string, edit: MenuEdit): EditedMenu {
  const lines = replaceLabel(text, edit).split('\n');
  const installEntries = editKernelLines(lines, edit);
  // The label block whose kernel line is the first plain install entry.
  let labelLine = -1;
  let chosen = -1;
  lines.forEach((line, i) => {
    const l = /^\s*label\s+(\S+)/i.exec(line);
    if (l) labelLine = i;
    const k = /^\s*append\s+(.*)$/i.exec(line);
    if (k && chosen < 0 && labelLine >= 0 && isPlainInstall(k[1]!)) chosen = labelLine;
  });
  const out: string[] = [];
  let defaultEntry = '';
  lines.forEach((line, i) => {
    if (/^\s*menu\s+default\s*$/i.test(line)) return;
    if (/^\s*timeout\s+\d+\s*$/i.test(line)) {
      out.push(`timeout ${edit.timeoutSeconds * 10}`);
      return;
    }
    out.push(line);
    if (i === chosen) {
      defaultEntry = /^\s*label\s+(\S+)/i.exec(line)![1]!;
      out.push(`${/^(\s*)/.exec(lines[i + 1] ?? '')![1] || '  '}menu default`);
    }
  });
  // A "default <label>" (rather than "default <menu module>") also names the entry.
  const final = out.map((line) =>
    defaultEntry && /^default\s+(?!\S+\.c32\b)\S+\s*$/i.test(line) ? `default ${defaultEntry}` : line,
  );
  return { text: final.join('\n'), installEntries, defaultEntry };
}

export function editGrub(text: string, edit: MenuEdit): EditedMenu {
  const lines = replaceLabel(text, edit).split('\n');
  const installEntries = editKernelLines(lines, edit);
  // Top-level entries (a submenu counts as one) in order; GRUB's default is an index into them.
  let depth = 0;
  let index = -1;
  let current: { index: number; title: string } | undefined;
  let chosen: { index: number; title: string } | undefined;
  for (const line of lines) {
    const entry = /^\s*(menuentry|submenu)\s+(['"])(.*?)\2/.exec(line);
    if (entry && depth === 0) {
      index++;
      current = entry[1] === 'menuentry' ? { index, title: entry[3]! } : undefined;
    }
    const k = KERNEL_LINE.exec(line);
    if (k && !chosen && current && depth === 1 && isPlainInstall(k[4]!)) chosen = current;
    depth += (line.match(/\{\s*$/) ? 1 : 0) - (/^\s*\}\s*$/.test(line) ? 1 : 0);
  }
  let sawDefault = false;
  let sawTimeout = false;
  const out = lines.map((line) => {
    if (/^\s*set\s+default=/.test(line) && chosen) {
      sawDefault = true;
      return `set default="${chosen.index}"`;
    }
    if (/^\s*set\s+timeout=/.test(line)) {
      sawTimeout = true;
      return `set timeout=${edit.timeoutSeconds}`;
    }
    return line;
  });
  const head = [
    ...(chosen && !sawDefault ? [`set default="${chosen.index}"`] : []),
    ...(sawTimeout ? [] : [`set timeout=${edit.timeoutSeconds}`]),
  ];
  return { text: [...head, ...out].join('\n'), installEntries, defaultEntry: chosen?.title ?? '' };
}
