// The device path coreos-installer writes RHCOS to. PXE installs take one path
// (coreos.inst.install_dev), so hints must name the disk: deviceName, or wwn through udev's
// stable /dev/disk/by-id/wwn-* link. The other hints cannot select a disk before boot.
import type { Node } from './model.js';

export function installDevice(node: Pick<Node, 'installDisk' | 'rootDeviceHints'>): string | undefined {
  if (node.installDisk !== undefined) return node.installDisk;
  const hints = node.rootDeviceHints;
  if (hints?.deviceName !== undefined) return hints.deviceName;
  if (hints?.wwn !== undefined)
    return `/dev/disk/by-id/wwn-${hints.wwn.startsWith('0x') ? hints.wwn.toLowerCase() : `0x${hints.wwn.toLowerCase()}`}`;
  return undefined;
}
