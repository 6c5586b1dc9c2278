// The short, readable picture of a valid site that `fyr validate` prints.
import type { Site } from '../site/index.js';
import type { Style } from './style.js';

const GATEWAY = {
  pat: 'pat (only the bastion is reachable from the WAN)',
  nat: 'nat (the LAN is routed to the WAN)',
} as const;

export function siteSummary(site: Site): Record<string, unknown> {
  const { network, bastion } = site;
  return {
    cluster: site.cluster.fqdn,
    openshiftVersion: site.cluster.openshiftVersion,
    gateway: network.gateway,
    wan:
      network.wan.mode === 'dhcp'
        ? { interface: network.wan.interface, address: 'dhcp' }
        : {
            interface: network.wan.interface,
            address: `${network.wan.address}/${network.wan.prefix}`,
            gateway: network.wan.gateway,
          },
    lan: {
      interface: network.lan.interface,
      ...(network.lan.vlan === undefined ? {} : { vlan: network.lan.vlan }),
      subnet: `${network.lan.network}/${network.lan.prefix}`,
      dhcpPool: `${network.lan.pool.start}-${network.lan.pool.end}`,
    },
    bastion: {
      fqdn: bastion.fqdn,
      address: network.lan.bastion,
      installDisk: bastion.installDisk,
      encryption: bastion.encryption,
    },
    bootstrap: network.lan.bootstrap,
    nodes: site.nodes.map((n) => ({
      name: n.name,
      fqdn: n.fqdn,
      role: n.role,
      ip: n.ip,
      mac: n.mac,
      bmc: { type: n.bmc.type, ...(n.bmc.address === undefined ? {} : { address: n.bmc.address }) },
    })),
    tang: site.diskEncryption.tang,
    ntp: site.ntp.upstreams.length > 0 ? site.ntp.upstreams : 'bastion clock',
  };
}

export function formatSummary(site: Site, style: Style): string {
  const { network, bastion } = site;
  const cp = site.nodes.filter((n) => n.role === 'control-plane').length;
  const wan =
    network.wan.mode === 'dhcp'
      ? `${network.wan.interface}, DHCP`
      : `${network.wan.interface}, ${network.wan.address}/${network.wan.prefix} via ${network.wan.gateway}`;
  const vlan = network.lan.vlan === undefined ? '' : ` (VLAN ${network.lan.vlan})`;
  const width = Math.max(...site.nodes.map((n) => n.name.length));
  const row = (label: string, value: string) => `${style.bold(label.padEnd(10))}${value}`;
  const lines = [
    row('Cluster', `${site.cluster.fqdn} (OpenShift ${site.cluster.openshiftVersion})`),
    row('Gateway', GATEWAY[network.gateway]),
    row('WAN', wan),
    row(
      'LAN',
      `${network.lan.interface}${vlan}, ${network.lan.network}/${network.lan.prefix}, DHCP pool ${network.lan.pool.start}-${network.lan.pool.end}`,
    ),
    row(
      'Bastion',
      `${bastion.fqdn} ${network.lan.bastion}, disk ${bastion.installDisk}, encryption ${bastion.encryption}`,
    ),
    row('Bootstrap', network.lan.bootstrap),
    row('Nodes', `${site.nodes.length}: ${cp} control-plane, ${site.nodes.length - cp} worker`),
    ...site.nodes.map((n) => {
      const bmc = n.bmc.address === undefined ? n.bmc.type : `${n.bmc.type} ${n.bmc.address}`;
      return `  ${n.name.padEnd(width)}  ${n.role.padEnd(13)}  ${n.ip.padEnd(15)}  ${n.mac}  BMC ${bmc}`;
    }),
    row(
      'Disks',
      site.diskEncryption.tang ? "node disks unlock from the bastion's Tang server" : 'node disks not encrypted by fyr',
    ),
    row('NTP', site.ntp.upstreams.length > 0 ? site.ntp.upstreams.join(', ') : 'bastion clock (offline)'),
  ];
  if (site.secrets.loaded) lines.push(row('Secrets', `${site.secrets.display}: every reference resolves`));
  return `${lines.join('\n')}\n`;
}
