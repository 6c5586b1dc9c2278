// Edits files inside an EFI system partition image (FAT) with mtools: no loop device, no mount,
// no root. UEFI firmware booting the stick reads GRUB's menu from here, not from the ISO tree.
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTool, runToolBinary } from '../util/tools.js';

// Paths of every file in the image, like "/EFI/BOOT/grub.cfg".
export async function listEsp(image: string): Promise<string[]> {
  const { stdout } = await runTool('mdir', ['-/', '-b', '-i', image, '::/']);
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('::/') && !l.endsWith('/'))
    .map((l) => l.slice(2));
}

export async function readEspFile(image: string, path: string): Promise<Buffer> {
  return runToolBinary('mtype', ['-i', image, `::${path}`]);
}

// Replaces one file. Its dates are the release's epoch (mtools takes the new entry's creation
// time from SOURCE_DATE_EPOCH), so the image stays reproducible.
export async function writeEspFile(
  image: string,
  path: string,
  content: string,
  scratch: string,
  epoch: number,
): Promise<void> {
  const local = join(scratch, `esp-${path.replace(/[^A-Za-z0-9.]+/g, '_')}`);
  writeFileSync(local, content);
  utimesSync(local, epoch, epoch);
  await runTool('mcopy', ['-o', '-m', '-i', image, local, `::${path}`], { env: { SOURCE_DATE_EPOCH: String(epoch) } });
}

// The boot menus GRUB may read from the ESP.
export const isEspMenu = (path: string) => /\/(grub\.cfg|BOOT\.conf)$/i.test(path);
