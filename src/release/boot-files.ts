// The boot menus of a release: every BIOS and UEFI menu of the base (in the ISO tree and inside
// the EFI system partition) edited to boot the installer with the release's kickstart, staged
// as files for xorriso to put in place of the base's.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FyrError } from '../errors.js';
import { KS_PATH } from '../formats/media-layout.js';
import type { Base, BaseReader } from './base.js';
import { editGrub, editIsolinux, type MenuEdit } from './boot-menu.js';
import { isEspMenu, listEsp, readEspFile, writeEspFile } from './esp.js';

const MENUS = ['/isolinux/isolinux.cfg', '/EFI/BOOT/grub.cfg', '/EFI/BOOT/BOOT.conf', '/boot/grub2/grub.cfg'];

export interface BootFiles {
  // Edited copies of base files: [disk path, ISO path].
  updates: Array<[string, string]>;
  // The edited ESP image: in the tree for RHEL 9 (also in updates), appended for RHEL 10.
  esp: string;
}

export async function stageBootFiles(
  base: Base,
  reader: BaseReader,
  staging: string,
  volumeId: string,
  timeoutSeconds: number,
  epoch: number,
): Promise<BootFiles> {
  const edit: MenuEdit = { oldLabel: base.volumeId, newLabel: volumeId, ksPath: KS_PATH, timeoutSeconds };
  const updates: Array<[string, string]> = [];
  for (const menu of MENUS.filter((m) => base.report.files.includes(m))) {
    const text = reader.file(menu).toString('utf8');
    const edited = menu.startsWith('/isolinux/') ? editIsolinux(text, edit) : editGrub(text, edit);
    if (edited.installEntries === 0)
      throw new FyrError(
        'BASE_ISO_INVALID',
        `${base.path}: ${menu} has no installer entry (no inst.stage2= on a kernel line)`,
      );
    const disk = join(staging, menu.replace(/\//g, '_'));
    writeFileSync(disk, edited.text);
    updates.push([disk, menu]);
  }
  if (updates.length === 0)
    throw new FyrError('BASE_ISO_INVALID', `${base.path} has none of the boot menus fyr edits (${MENUS.join(', ')})`);
  const { layout } = base;
  const esp = join(staging, 'efiboot.img');
  writeFileSync(
    esp,
    layout.kind === 'el9' ? reader.file(layout.efiImage) : reader.range(layout.esp.offset, layout.esp.length),
  );
  await editEsp(base.path, esp, staging, edit, epoch);
  if (layout.kind === 'el9') updates.push([esp, layout.efiImage]);
  return { updates, esp };
}

// Edits the menus of an extracted EFI system partition image (a few MiB) with mtools.
async function editEsp(base: string, image: string, staging: string, edit: MenuEdit, epoch: number): Promise<void> {
  const menus = (await listEsp(image)).filter(isEspMenu);
  if (menus.length === 0)
    throw new FyrError('BASE_ISO_INVALID', `${base}: the EFI system partition has no grub.cfg or BOOT.conf`);
  for (const menu of menus) {
    const edited = editGrub((await readEspFile(image, menu)).toString('utf8'), edit);
    if (edited.installEntries === 0)
      throw new FyrError('BASE_ISO_INVALID', `${base}: ${menu} in the EFI system partition has no installer entry`);
    await writeEspFile(image, menu, edited.text, staging, epoch);
  }
}
