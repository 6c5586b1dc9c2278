// Rules about DNS names: unique host names, names the cluster reserves, FQDN length.
import type { PathSegment } from '../path.js';
import { formatPath } from '../path.js';
import type { Rule } from './context.js';

// Records the bastion's DNS zone defines itself; a host with one of these names would clash.
const RESERVED_NAMES = ['api', 'api-int', 'apps', 'bootstrap', 'localhost'];
// RFC 1035: a name is at most 253 characters in text form.
const MAX_FQDN = 253;

// Every host name in the zone (bastion, nodes, reservations) is different.
export const uniqueHostNames: Rule = ({ site, report }) => {
  const hosts: Array<{ name: string; path: PathSegment[] }> = [
    { name: site.bastion.hostname, path: ['bastion', 'hostname'] },
    ...site.nodes.map((n, i) => ({ name: n.name, path: ['nodes', i, 'name'] as PathSegment[] })),
    ...site.network.reservations.map((r, i) => ({
      name: r.name,
      path: ['network', 'reservations', i, 'name'] as PathSegment[],
    })),
  ];
  const seen = new Map<string, PathSegment[]>();
  for (const host of hosts) {
    const first = seen.get(host.name);
    if (first === undefined) {
      seen.set(host.name, host.path);
      if (RESERVED_NAMES.includes(host.name)) {
        report({
          code: 'NAME_RESERVED',
          path: host.path,
          message: `"${host.name}" is a name the cluster's DNS zone uses itself`,
          expected: `a name other than ${RESERVED_NAMES.join(', ')}`,
        });
      }
    } else {
      report({
        code: 'NAME_DUPLICATE',
        path: host.path,
        message: `the name "${host.name}" is already used at ${formatPath(first)}`,
        expected: 'a host name used once in the site',
      });
    }
  }
};

// The longest names the zone will hold still fit in a DNS name.
export const fqdnFitsDns: Rule = ({ site, report }) => {
  const names = [
    `api-int.${site.cluster.fqdn}`,
    `oauth-openshift.apps.${site.cluster.fqdn}`,
    site.bastion.fqdn,
    ...site.nodes.map((n) => n.fqdn),
  ];
  const longest = names.reduce((a, b) => (b.length > a.length ? b : a));
  if (longest.length > MAX_FQDN) {
    report({
      code: 'FQDN_TOO_LONG',
      path: ['cluster', 'domain'],
      message: `the name ${longest.slice(0, 40)}... would be ${longest.length} characters long`,
      expected: `cluster name and domain short enough that every record stays within ${MAX_FQDN} characters`,
    });
  }
};
