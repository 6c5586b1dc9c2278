// Rules about the cluster's own networks (cluster.networks), as openshift-install checks them
// (pkg/types/validation/installconfig.go): each written as its network address, none
// overlapping another, the machine network (the LAN), the WAN or the ranges OVN-Kubernetes uses
// inside every node; and one hostPrefix slice of the cluster network for each node.
import { formatNet, networkOf, overlaps, parseCidr, type Ipv4Net } from '../ipv4.js';
import type { PathSegment } from '../path.js';
import type { Rule, RuleContext } from './context.js';

// OVN-Kubernetes' defaults: the join switch, the transit switch (4.14+), the masquerade subnet.
const OVN_INTERNAL: ReadonlyArray<{ name: string; net: Ipv4Net }> = [
  { name: "OVN-Kubernetes' internal join subnet", text: '100.64.0.0/16' },
  { name: "OVN-Kubernetes' internal transit switch subnet", text: '100.88.0.0/16' },
  { name: "OVN-Kubernetes' internal masquerade subnet", text: '169.254.0.0/17' },
].map(({ name, text }) => ({ name, net: cidrNet(text)! }));

function cidrNet(text: string): Ipv4Net | undefined {
  const cidr = parseCidr(text);
  return cidr === undefined ? undefined : networkOf(cidr.address, cidr.prefix);
}

interface Named {
  // "the cluster network", "the LAN"
  name: string;
  net: Ipv4Net;
  path: PathSegment[];
  // The value came from the schema's default, not the file.
  defaulted: boolean;
}

const NETWORKS_PATH = ['cluster', 'networks'];

// The cluster and service networks as the site has them, written or defaulted.
function clusterNets({ site, input }: RuleContext): Named[] {
  const nets = site.cluster.networks;
  const out: Named[] = [];
  for (const [key, name] of [
    ['clusterNetwork', 'the cluster network'],
    ['serviceNetwork', 'the service network'],
  ] as const) {
    const net = cidrNet(nets[key]);
    if (net !== undefined)
      out.push({ name, net, path: [...NETWORKS_PATH, key], defaulted: input.cluster.networks?.[key] === undefined });
  }
  return out;
}

// The site's other networks: the LAN (the install's machine network) and a static WAN.
function siteNets({ site }: RuleContext): Named[] {
  const lan = site.network.lan.subnet;
  const out: Named[] = [{ name: 'the LAN', net: lan, path: ['network', 'lan', 'subnet'], defaulted: false }];
  const wan = site.network.wan;
  const wanNet = wan.mode === 'static' ? cidrNet(`${wan.address}/${wan.prefix}`) : undefined;
  if (wanNet !== undefined)
    out.push({ name: 'the WAN network', net: wanNet, path: ['network', 'wan', 'address'], defaulted: false });
  return out;
}

const DEFAULT_NOTE = ' (the default of cluster.networks)';

// Written as network addresses, so nobody misreads which addresses they cover.
export const clusterNetworksAreNetworkAddresses: Rule = (ctx) => {
  for (const n of clusterNets(ctx)) {
    const text = ctx.site.cluster.networks[n.path[2] as 'clusterNetwork' | 'serviceNetwork'];
    const cidr = parseCidr(text);
    if (cidr !== undefined && cidr.address !== n.net.network) {
      ctx.report({
        code: 'SUBNET_HOST_BITS',
        path: n.path,
        message: `${text} has host bits set`,
        expected: `the network address, ${formatNet(n.net)}`,
      });
    }
  }
};

// No two of the cluster network, the service network, the LAN, the WAN and OVN's own ranges
// share an address: a pod or service address there would be routed to the wrong place.
export const clusterNetworksDoNotOverlap: Rule = (ctx) => {
  const cluster = clusterNets(ctx);
  const [clusterNet, serviceNet] = cluster;
  const report = (at: Named, other: { name: string; net: Ipv4Net; defaulted?: boolean }) =>
    ctx.report({
      code: 'CLUSTER_NETWORK_OVERLAP',
      path: at.path,
      message: `${at.name} ${formatNet(at.net)} overlaps ${other.name} ${formatNet(other.net)}${other.defaulted === true ? DEFAULT_NOTE : ''}`,
      expected:
        other.defaulted === true
          ? 'other addresses, or cluster.networks set to networks clear of it'
          : 'separate networks',
    });
  if (clusterNet !== undefined && serviceNet !== undefined && overlaps(clusterNet.net, serviceNet.net))
    report(serviceNet, clusterNet);
  for (const own of cluster) {
    for (const other of siteNets(ctx)) {
      if (!overlaps(own.net, other.net)) continue;
      // Point at what the user wrote: the site's network when the cluster's is a default.
      if (own.defaulted) report(other, own);
      else report(own, other);
    }
  }
  for (const n of [...cluster, ...siteNets(ctx)]) {
    for (const ovn of OVN_INTERNAL) if (overlaps(n.net, ovn.net)) report(n, ovn);
  }
};

// hostPrefix cuts the cluster network into one slice per node: it must be longer than the
// cluster network's prefix, and there must be a slice for every node.
export const hostPrefixFits: Rule = ({ site, input, report }) => {
  const { clusterNetwork, hostPrefix } = site.cluster.networks;
  const net = cidrNet(clusterNetwork);
  if (net === undefined) return;
  const path =
    input.cluster.networks?.hostPrefix === undefined
      ? [...NETWORKS_PATH, 'clusterNetwork']
      : [...NETWORKS_PATH, 'hostPrefix'];
  if (hostPrefix < net.prefix) {
    report({
      code: 'HOST_PREFIX_INVALID',
      path,
      message: `hostPrefix ${hostPrefix} is shorter than the cluster network's /${net.prefix}: a node's slice cannot be larger than the whole`,
      expected: `a hostPrefix from ${net.prefix} to 30`,
    });
    return;
  }
  const slices = 2 ** (hostPrefix - net.prefix);
  if (slices < site.nodes.length) {
    report({
      code: 'HOST_PREFIX_INVALID',
      path,
      message: `${formatNet(net)} holds ${slices} node subnet${slices === 1 ? '' : 's'} of /${hostPrefix}; the site has ${site.nodes.length} nodes`,
      expected: 'a larger cluster network or a longer hostPrefix',
    });
  }
};
