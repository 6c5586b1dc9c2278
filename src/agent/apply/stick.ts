// The stick with the edited site, found as the agent finds its install media: by the release's
// volume label (a site ISO keeps its release's label). It is read as a block device through the
// ISO 9660 reader, not mounted. A flashed isohybrid image may show its label on the disk and on
// a partition too; the whole disk is the image as written. Two sticks with the label (the old
// one left in) are refused: which one holds the new site cannot be guessed.
import type { Exec } from '../exec.js';

export const lsblk = () => ['--json', '--list', '--paths', '--output', 'PATH,TYPE,PKNAME,LABEL'];

interface BlockDevice {
  path: string;
  type: string;
  pkname: string | null;
  label: string | null;
}

// The devices holding an image labelled `label`: whole disks (or CD drives), and partitions only
// when their disk does not carry the label itself.
export function devicesLabelled(lsblkJson: string, label: string): string[] {
  const devices = (JSON.parse(lsblkJson) as { blockdevices?: BlockDevice[] }).blockdevices ?? [];
  const labelled = devices.filter((d) => d.label === label);
  const disks = new Set(labelled.filter((d) => d.type !== 'part').map((d) => d.path));
  return labelled.filter((d) => d.type !== 'part' || !disks.has(d.pkname ?? '')).map((d) => d.path);
}

export async function findStick(exec: Exec, label: string): Promise<string> {
  const found = devicesLabelled((await exec('lsblk', lsblk())).stdout, label);
  if (found.length === 0)
    throw new Error(
      `no stick labelled "${label}" (this bastion's release) is plugged in: plug in the stick with the edited site, or give --site-iso FILE`,
    );
  if (found.length > 1)
    throw new Error(
      `${found.length} devices are labelled "${label}" (${found.join(', ')}): take out the old stick, or name the new one with --site-iso DEVICE`,
    );
  return found[0]!;
}
