// Rules about the cluster LAN: its subnet, the addresses on it and the DHCP pool.
import { contains, formatNet, formatIpv4, networkOf, parseCidr, parseIpv4 } from '../ipv4.js';
import { formatPath } from '../path.js';
import type { Rule } from './context.js';
import { fixedLanAddresses } from './lan-addresses.js';

// The subnet is written as its network address, so nobody misreads which hosts it covers.
export const lanSubnetIsNetworkAddress: Rule = ({ input, report }) => {
  const cidr = parseCidr(input.network.lan.subnet);
  if (cidr === undefined) return;
  const net = networkOf(cidr.address, cidr.prefix);
  if (net.network !== cidr.address) {
    report({
      code: 'SUBNET_HOST_BITS',
      path: ['network', 'lan', 'subnet'],
      message: `${input.network.lan.subnet} has host bits set`,
      expected: `the network address, ${formatNet(net)}`,
    });
  }
};

// The LAN must hold the bastion, the bootstrap VM, the nodes and a pool.
export const lanHasRoom: Rule = ({ site, report }) => {
  if (site.network.lan.prefix > 29) {
    report({
      code: 'SUBNET_TOO_SMALL',
      path: ['network', 'lan', 'subnet'],
      message: `a /${site.network.lan.prefix} network is too small for a cluster LAN`,
      expected: 'a prefix length of 29 or less, such as /24',
    });
  }
};

// Every LAN address lies inside the subnet and is neither its network nor its broadcast address.
export const lanAddressesInsideSubnet: Rule = ({ site, report }) => {
  const lan = site.network.lan;
  const checks = fixedLanAddresses(site).filter((a) => !a.path.includes('bmc'));
  const pool = ['start', 'end'] as const;
  for (const end of pool) {
    const value = parseIpv4(lan.pool[end]);
    if (value !== undefined)
      checks.push({ ip: lan.pool[end], value, path: ['network', 'lan', 'dhcpPool'], owner: `the pool ${end}` });
  }
  site.network.portForwards.forEach((f, i) => {
    const value = parseIpv4(f.to);
    if (value !== undefined)
      checks.push({ ip: f.to, value, path: ['network', 'portForwards', i, 'to'], owner: 'a port forward' });
  });
  for (const a of checks) {
    if (!contains(lan.subnet, a.value)) {
      report({
        code: 'ADDRESS_OUTSIDE_LAN',
        path: a.path,
        message: `${a.ip} (${a.owner}) is outside the LAN ${formatNet(lan.subnet)}`,
        expected: `an address from ${formatIpv4(lan.subnet.network + 1)} to ${formatIpv4(lan.subnet.broadcast - 1)}`,
      });
    } else if (a.value === lan.subnet.network || a.value === lan.subnet.broadcast) {
      const which = a.value === lan.subnet.network ? 'network' : 'broadcast';
      report({
        code: 'ADDRESS_NOT_HOST',
        path: a.path,
        message: `${a.ip} (${a.owner}) is the LAN's ${which} address`,
        expected: `a host address from ${formatIpv4(lan.subnet.network + 1)} to ${formatIpv4(lan.subnet.broadcast - 1)}`,
      });
    }
  }
};

// No two hosts share a LAN address.
export const uniqueLanAddresses: Rule = ({ site, report }) => {
  const seen = new Map<number, { path: string; owner: string }>();
  for (const a of fixedLanAddresses(site)) {
    const first = seen.get(a.value);
    if (first === undefined) {
      seen.set(a.value, { path: formatPath(a.path), owner: a.owner });
    } else {
      report({
        code: 'IP_DUPLICATE',
        path: a.path,
        message: `${a.ip} (${a.owner}) is already used by ${first.owner} at ${first.path}`,
        expected: 'a LAN address no other host uses',
      });
    }
  }
};

// The pool runs upwards, and hands out no address that is reserved for someone.
export const dhcpPoolAvoidsFixedAddresses: Rule = ({ site, report }) => {
  const { pool } = site.network.lan;
  const start = parseIpv4(pool.start);
  const end = parseIpv4(pool.end);
  if (start === undefined || end === undefined) return;
  if (start > end) {
    report({
      code: 'POOL_INVALID',
      path: ['network', 'lan', 'dhcpPool'],
      message: `the pool starts at ${pool.start}, after its end ${pool.end}`,
      expected: `the lower address first: ${pool.end}-${pool.start}`,
    });
    return;
  }
  for (const a of fixedLanAddresses(site)) {
    if (a.value >= start && a.value <= end) {
      report({
        code: 'POOL_OVERLAP',
        path: a.path,
        message: `${a.ip} (${a.owner}) lies inside the DHCP pool ${pool.start}-${pool.end}`,
        expected: 'a fixed address outside the pool, or a smaller pool',
      });
    }
  }
};
