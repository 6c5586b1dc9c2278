// Rules about the WAN side and how it meets the LAN.
import { contains, formatNet, networkOf, overlaps, parseIpv4 } from '../ipv4.js';
import type { Rule } from './context.js';

// A static WAN address and its gateway are on one network, and that network is not the LAN.
export const wanIsConsistent: Rule = ({ site, input, report }) => {
  const wan = site.network.wan;
  if (wan.mode === 'dhcp') {
    if (input.network.wan.gateway !== undefined) {
      report({
        severity: 'warning',
        code: 'WAN_FIELD_IGNORED',
        path: ['network', 'wan', 'gateway'],
        message: 'the WAN uses DHCP, so this gateway is not used',
        expected: 'no gateway, or a static address such as 203.0.113.10/24',
      });
    }
    return;
  }
  const address = parseIpv4(wan.address);
  const gateway = parseIpv4(wan.gateway);
  if (address === undefined) return;
  const net = networkOf(address, wan.prefix);
  if (gateway !== undefined && !contains(net, gateway)) {
    report({
      code: 'WAN_GATEWAY_OUTSIDE',
      path: ['network', 'wan', 'gateway'],
      message: `gateway ${wan.gateway} is not on the WAN network ${formatNet(net)}`,
      expected: `an address inside ${formatNet(net)}`,
    });
  }
  if (overlaps(net, site.network.lan.subnet)) {
    report({
      code: 'NETWORK_OVERLAP',
      path: ['network', 'wan', 'address'],
      message: `the WAN network ${formatNet(net)} overlaps the LAN ${formatNet(site.network.lan.subnet)}`,
      expected: 'separate WAN and LAN networks (the bastion routes between them)',
    });
  }
};

// The bastion routes between two links; one untagged interface cannot be both.
export const interfacesDiffer: Rule = ({ site, report }) => {
  const { wan, lan } = site.network;
  if (wan.interface === lan.interface && lan.vlan === undefined) {
    report({
      code: 'INTERFACE_SHARED',
      path: ['network', 'lan', 'interface'],
      message: `the LAN and the WAN both use ${lan.interface}`,
      expected: 'a second interface for the LAN, or a LAN vlan on the same interface',
    });
  }
};
