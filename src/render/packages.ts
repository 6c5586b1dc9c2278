// What the bastion runs, as RHEL package names: the same list goes into the blueprint (composer
// builds) and the kickstart's %packages (installs from a RHEL DVD).
import type { OsRelease } from './view.js';

const COMMON = [
  'bind',
  'bind-utils',
  'chrony',
  'clevis',
  'clevis-dracut',
  'clevis-luks',
  'cockpit',
  'cockpit-machines',
  'cockpit-podman',
  'firewalld',
  'haproxy',
  'httpd',
  'ipmitool',
  'jq',
  'libvirt',
  'nodejs',
  'podman',
  'qemu-kvm',
  'rsync',
  'shim-x64',
  'grub2-efi-x64',
  'skopeo',
  'syslinux-tftpboot',
  'tang',
  'tar',
  'tftp-server',
  'tpm2-tools',
  'virt-install',
];

// RHEL 10 no longer ships ISC dhcp-server; its bastions serve DHCP with Kea (formats/bastion-os.ts).
const BY_OS: Record<OsRelease, string[]> = {
  rhel9: ['dhcp-server'],
  rhel10: ['kea'],
};

export function bastionPackages(os: OsRelease): string[] {
  return [...COMMON, ...BY_OS[os]].sort();
}

// The agent's bundle needs Node.js 20 or newer: RHEL 9's default nodejs is older, so its
// module stream 20 is enabled; RHEL 10 has no modularity and ships Node.js 22.
export const MODULE_STREAMS: Record<OsRelease, Array<{ name: string; stream: string }>> = {
  rhel9: [{ name: 'nodejs', stream: '20' }],
  rhel10: [],
};

// Enabled in the image; the agent starts the cluster services once their configs are in place.
export const IMAGE_SERVICES = ['cockpit.socket', 'firewalld', 'sshd'];
