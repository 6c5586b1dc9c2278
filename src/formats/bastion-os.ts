// What differs between a RHEL 9 and a RHEL 10 bastion, for the renderers (which write the DHCP
// server's config) and the agent (which starts it, follows its leases and copies the PXE loaders):
// RHEL 10 ships Kea instead of ISC dhcpd, and may place the loaders elsewhere.

export const BASTION_OS = ['rhel9', 'rhel10'] as const;
export type BastionOs = (typeof BASTION_OS)[number];

export const isBastionOs = (value: unknown): value is BastionOs => BASTION_OS.includes(value as BastionOs);

export interface DhcpServer {
  kind: 'dhcpd' | 'kea';
  // The systemd unit; the watch phase reads its journal for the lease lines.
  unit: string;
  // Where the rendered config goes, as the unit reads it.
  config: string;
  // The lease file the daemon writes (strays are found there too).
  leases: string;
  // Kea's control socket, for the health check (status-get).
  controlSocket?: string;
}

// Kea 2.6.3 (RHEL 10.0) refuses a lease file outside /var/lib/kea and a control socket outside
// /run/kea (CVE-2025-32801): the config names both by bare file names, resolved there.
export const KEA_NAMES = { leases: 'kea-leases4.csv', controlSocket: 'kea4-ctrl-socket' } as const;

export const DHCP_SERVERS: Record<BastionOs, DhcpServer> = {
  rhel9: { kind: 'dhcpd', unit: 'dhcpd', config: '/etc/dhcp/dhcpd.conf', leases: '/var/lib/dhcpd/dhcpd.leases' },
  rhel10: {
    kind: 'kea',
    unit: 'kea-dhcp4',
    config: '/etc/kea/kea-dhcp4.conf',
    leases: `/var/lib/kea/${KEA_NAMES.leases}`,
    controlSocket: `/run/kea/${KEA_NAMES.controlSocket}`,
  },
};

// The PXE loaders the services phase copies into the TFTP root (a path under it, "/"-separated),
// each from the first place that has it. RHEL 9: syslinux-tftpboot's /tftpboot and the ESP that
// shim-x64 and grub2-efi-x64 install to. RHEL 10's packages are the same, but its newer GRUB
// and shim builds may install under /usr/lib/efi/<package>/<version>/ instead of the ESP, and
// syslinux-nonlinux carries the BIOS loaders in /usr/share/syslinux: those places are tried next.
// A "*" matches one directory level (the package version); the newest match wins.
export interface Loader {
  to: string;
  from: string[];
}

const BIOS: Loader[] = [
  { to: 'lpxelinux.0', from: ['/tftpboot/lpxelinux.0', '/usr/share/syslinux/lpxelinux.0'] },
  { to: 'ldlinux.c32', from: ['/tftpboot/ldlinux.c32', '/usr/share/syslinux/ldlinux.c32'] },
];

export const PXE_LOADERS: Record<BastionOs, Loader[]> = {
  rhel9: [
    ...BIOS,
    { to: 'uefi/shimx64.efi', from: ['/boot/efi/EFI/redhat/shimx64.efi'] },
    { to: 'uefi/grubx64.efi', from: ['/boot/efi/EFI/redhat/grubx64.efi'] },
  ],
  rhel10: [
    ...BIOS,
    {
      to: 'uefi/shimx64.efi',
      from: ['/boot/efi/EFI/redhat/shimx64.efi', '/usr/lib/efi/shim/*/EFI/redhat/shimx64.efi'],
    },
    {
      to: 'uefi/grubx64.efi',
      from: ['/boot/efi/EFI/redhat/grubx64.efi', '/usr/lib/efi/grub2/*/EFI/redhat/grubx64.efi'],
    },
  ],
};

// The packages that provide the loaders, for the message when one is missing.
export const LOADER_PACKAGES = 'syslinux-tftpboot (or syslinux-nonlinux), shim-x64, grub2-efi-x64';
