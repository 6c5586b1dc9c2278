// The fixed addresses a site puts on its LAN, each with the path that set it.
import { contains, parseIpv4 } from '../ipv4.js';
import type { PathSegment } from '../path.js';
import type { Site } from '../model.js';

export interface FixedAddress {
  ip: string;
  value: number;
  path: PathSegment[];
  // Who holds it, for messages: "node cp-0", "the bootstrap VM".
  owner: string;
}

// Bastion, bootstrap VM, nodes, reservations, and BMCs whose address is a LAN IPv4 address.
export function fixedLanAddresses(site: Site): FixedAddress[] {
  const out: FixedAddress[] = [];
  const add = (ip: string | undefined, path: PathSegment[], owner: string) => {
    const value = ip === undefined ? undefined : parseIpv4(ip);
    if (ip !== undefined && value !== undefined) out.push({ ip, value, path, owner });
  };
  add(site.network.lan.bastion, ['network', 'lan', 'bastion'], 'the bastion');
  add(site.network.lan.bootstrap, ['network', 'lan', 'bootstrap'], 'the bootstrap VM');
  site.nodes.forEach((node, i) => add(node.ip, ['nodes', i, 'ip'], `node ${node.name}`));
  site.network.reservations.forEach((r, i) => add(r.ip, ['network', 'reservations', i, 'ip'], `reservation ${r.name}`));
  site.nodes.forEach((node, i) => {
    const value = node.bmc.address === undefined ? undefined : parseIpv4(node.bmc.address);
    // BMCs on a routed management network are fine; only LAN ones share the address space.
    if (value !== undefined && contains(site.network.lan.subnet, value)) {
      add(node.bmc.address, ['nodes', i, 'bmc', 'address'], `the BMC of node ${node.name}`);
    }
  });
  return out;
}
