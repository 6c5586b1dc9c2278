// What the templates see: the site, plus the derived facts several files share (the bootstrap
// VM, which hosts PXE-install, where artifacts are served). Values stay raw here; templates
// quote them for their own format.
import { createHash } from 'node:crypto';
import { FyrError } from '../errors.js';
import { installDevice, type Site } from '../site/index.js';
import {
  CONTENT_ROOT,
  LAN_BRIDGE,
  PORTS,
  PLACEHOLDER,
  BOOTSTRAP_MARK,
  TFTP_ROOT,
  STATE_DIR,
} from '../formats/bastion-layout.js';
import type { BastionOs } from '../formats/bastion-os.js';

export type OsRelease = BastionOs;
export type InstallSource = 'liveimg' | 'dvd';

export interface RenderOptions {
  os: OsRelease;
  source: InstallSource;
  // Sealed (the default): no secret in any rendered file; the kickstart locks the accounts and
  // the secrets go to the agent in RenderResult.secrets, for the caller to seal. false: the
  // password hashes in ks.cfg and the BMC passwords in bundle/etc/fyr/bmc-secrets.json.
  sealed?: boolean;
}

export const isSealed = (options: RenderOptions): boolean => options.sealed !== false;

// A machine the bastion PXE-installs with RHCOS: a node or the bootstrap VM.
export interface InstallHost {
  name: string;
  fqdn: string;
  role: 'control-plane' | 'worker' | 'bootstrap';
  mac: string;
  // 01-aa-bb-cc-dd-ee-ff: how pxelinux and GRUB name per-MAC config files.
  macFile: string;
  ip: string;
  installDev: string;
  ignitionUrl: string;
}

export interface LanHost {
  name: string;
  mac?: string;
  ip: string;
}

export interface SiteView {
  site: Site;
  options: RenderOptions;
  lanDevice: string;
  lanBridge: string;
  hosts: InstallHost[];
  bootstrap: InstallHost;
  controlPlanes: InstallHost[];
  // Where ingress (80/443) runs: the workers, or the control plane of a compact cluster.
  ingress: InstallHost[];
  // BMCs with an IPv4 address on the LAN: DNS names, and DHCP reservations when the MAC is known.
  bmcs: LanHost[];
  contentUrl: string;
  tangUrl: string;
  registry: string;
  ports: typeof PORTS;
  placeholder: typeof PLACEHOLDER;
  bootstrapMark: string;
  tftpRoot: string;
  contentRoot: string;
  stateDir: string;
  rhcos: { kernelUrl: string; initramfsUrl: string; grubKernel: string; grubInitramfs: string; rootfsUrl: string };
  kernelArgs: string[];
}

// A locally administered MAC for the bootstrap VM, stable for a cluster and unlike any node's.
function bootstrapMac(site: Site): string {
  const taken = new Set([...site.nodes.map((n) => n.mac), ...site.network.reservations.map((r) => r.mac)]);
  for (let salt = 0; ; salt++) {
    const digest = createHash('sha256').update(`${site.cluster.fqdn}/${salt}`).digest();
    const mac = ['52', '54', '00', ...[...digest.subarray(0, 3)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
    if (!taken.has(mac)) return mac;
  }
}

const IGNITION_ROLE = { 'control-plane': 'master', worker: 'worker', bootstrap: 'bootstrap' } as const;

export function buildView(site: Site, options: RenderOptions): SiteView {
  const lan = site.network.lan;
  const contentUrl = `http://${lan.bastion}:${PORTS.content}`;
  const host = (h: Omit<InstallHost, 'macFile' | 'ignitionUrl' | 'fqdn'>): InstallHost => ({
    ...h,
    fqdn: `${h.name}.${site.cluster.fqdn}`,
    macFile: `01-${h.mac.replaceAll(':', '-')}`,
    ignitionUrl: `${contentUrl}/ignition/${IGNITION_ROLE[h.role]}.ign`,
  });
  const nodes = site.nodes.map((n) => {
    // Validation (INSTALL_DISK_UNRESOLVED) guarantees a device; its absence here is a bug.
    const installDev = installDevice(n);
    if (installDev === undefined)
      throw new FyrError('INTERNAL', `node ${n.name} has no install device after validation`);
    return host({ name: n.name, role: n.role, mac: n.mac, ip: n.ip, installDev });
  });
  const bootstrap = host({
    name: 'bootstrap',
    role: 'bootstrap',
    mac: bootstrapMac(site),
    ip: lan.bootstrap,
    installDev: '/dev/vda',
  });
  const controlPlanes = nodes.filter((n) => n.role === 'control-plane');
  const workers = nodes.filter((n) => n.role === 'worker');
  const bmcs: LanHost[] = site.nodes.flatMap((n) =>
    n.bmc.address !== undefined && /^[0-9.]+$/.test(n.bmc.address)
      ? [{ name: `${n.name}-bmc`, ip: n.bmc.address, ...(n.bmc.mac !== undefined ? { mac: n.bmc.mac } : {}) }]
      : [],
  );
  return {
    site,
    options,
    lanDevice: lan.vlan === undefined ? lan.interface : `${lan.interface}.${lan.vlan}`,
    lanBridge: LAN_BRIDGE,
    hosts: [...nodes, bootstrap],
    bootstrap,
    controlPlanes,
    ingress: workers.length > 0 ? workers : controlPlanes,
    bmcs,
    contentUrl,
    tangUrl: `http://${lan.bastion}:${PORTS.tang}`,
    registry: `${site.bastion.fqdn}:${PORTS.registry}`,
    ports: PORTS,
    placeholder: PLACEHOLDER,
    bootstrapMark: BOOTSTRAP_MARK,
    tftpRoot: TFTP_ROOT,
    contentRoot: CONTENT_ROOT,
    stateDir: STATE_DIR,
    // Kernel and initramfs come over HTTP too (lpxelinux.0 and GRUB's http module), so the
    // content server's access log shows each node's every fetch; TFTP only carries loaders and menus.
    rhcos: {
      kernelUrl: `${contentUrl}/rhcos/kernel`,
      initramfsUrl: `${contentUrl}/rhcos/initramfs.img`,
      grubKernel: `(http,${lan.bastion}:${PORTS.content})/rhcos/kernel`,
      grubInitramfs: `(http,${lan.bastion}:${PORTS.content})/rhcos/initramfs.img`,
      rootfsUrl: `${contentUrl}/rhcos/rootfs.img`,
    },
    kernelArgs: ['ip=dhcp', 'rd.neednet=1', 'console=tty0', 'console=ttyS0,115200n8'],
  };
}
