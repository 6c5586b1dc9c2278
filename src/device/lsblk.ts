// The machine's disks as lsblk sees them: size, transport, model, whether removable, and every
// mount point, also through partitions, LVM and dm-crypt (a disk is as mounted as its children).
import { runTool } from '../util/tools.js';

export interface BlockDevice {
  path: string;
  size: number;
  model: string;
  transport: string;
  removable: boolean;
  mountpoints: string[];
}

interface LsblkNode {
  name: string;
  path: string;
  size: number | string;
  model?: string | null;
  tran?: string | null;
  rm?: boolean | string;
  hotplug?: boolean | string;
  type: string;
  mountpoints?: Array<string | null>;
  mountpoint?: string | null;
  children?: LsblkNode[];
}

export const LSBLK_COLUMNS = 'NAME,PATH,SIZE,MODEL,TRAN,RM,HOTPLUG,TYPE,MOUNTPOINTS';
export const lsblkArgs = (device?: string) => [
  '--json',
  '--bytes',
  '--output',
  LSBLK_COLUMNS,
  ...(device ? [device] : []),
];

const truthy = (v: boolean | string | undefined) => v === true || v === '1';

// Every mount point of a device and of everything built on it (partitions, LVM, dm-crypt).
function mountsOf(node: LsblkNode): string[] {
  const own = [...(node.mountpoints ?? []), node.mountpoint ?? null].filter(
    (m): m is string => typeof m === 'string' && m !== '',
  );
  return [...own, ...(node.children ?? []).flatMap(mountsOf)];
}

export function parseLsblk(json: string): BlockDevice[] {
  const data = JSON.parse(json) as { blockdevices: LsblkNode[] };
  return data.blockdevices
    .filter((d) => d.type === 'disk' || d.type === 'loop')
    .map((d) => ({
      path: d.path,
      size: Number(d.size),
      model: (d.model ?? '').trim(),
      transport: d.tran ?? '',
      removable: truthy(d.rm) || truthy(d.hotplug) || d.tran === 'usb',
      mountpoints: [...new Set(mountsOf(d))],
    }));
}

export async function listDevices(): Promise<BlockDevice[]> {
  return parseLsblk((await runTool('lsblk', lsblkArgs())).stdout);
}

// One whole disk, or undefined for a partition or anything lsblk does not list as a disk.
export async function deviceInfo(path: string): Promise<BlockDevice | undefined> {
  return parseLsblk((await runTool('lsblk', lsblkArgs(path))).stdout)[0];
}
