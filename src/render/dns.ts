// The cluster's DNS data: the forward zone <cluster>.<domain> and the reverse zones of the LAN,
// computed here so named.conf and the zone templates agree on names, files and serials.
import { createHash } from 'node:crypto';
import { parseIpv4 } from '../site/index.js';
import type { SiteView } from './view.js';

export interface DnsRecord {
  name: string;
  type: 'A' | 'PTR';
  value: string;
}

export interface Zone {
  name: string;
  file: string;
  serial: number;
  records: DnsRecord[];
}

// Every A record of the cluster zone, relative names; api and ingress point at HAProxy.
export function forwardRecords(view: SiteView): DnsRecord[] {
  const lan = view.site.network.lan;
  const a = (name: string, value: string): DnsRecord => ({ name, type: 'A', value });
  return [
    a(view.site.bastion.hostname, lan.bastion),
    a('api', lan.bastion),
    a('api-int', lan.bastion),
    a('*.apps', lan.bastion),
    ...view.hosts.map((h) => a(h.name, h.ip)),
    ...view.site.network.reservations.map((r) => a(r.name, r.ip)),
    ...view.bmcs.map((b) => a(b.name, b.ip)),
  ];
}

// Reverse zones sit on octet boundaries: the LAN prefix rounded up to a multiple of 8 (at most
// /24), so a /23 LAN gets two /24 zones. Only zones holding a host are served.
function reverseZoneOf(ip: string, prefix: number): string {
  const octets = Math.min(3, Math.max(1, Math.ceil(prefix / 8)));
  return `${ip.split('.').slice(0, octets).reverse().join('.')}.in-addr.arpa`;
}

function ptrName(ip: string, zone: string): string {
  const labels = ip.split('.').reverse();
  return labels.slice(0, labels.length - (zone.split('.').length - 2)).join('.');
}

// Serials are derived from the zone's content: stable for the same site, changed by any edit.
function serialOf(name: string, records: DnsRecord[]): number {
  const digest = createHash('sha256')
    .update(JSON.stringify([name, records]))
    .digest();
  return (digest.readUInt32BE(0) % 2_000_000_000) + 1;
}

function zone(name: string, records: DnsRecord[]): Zone {
  return { name, file: `${name}.zone`, serial: serialOf(name, records), records };
}

export function clusterZones(view: SiteView): { forward: Zone; reverse: Zone[] } {
  const fqdn = view.site.cluster.fqdn;
  const prefix = view.site.network.lan.prefix;
  // PTRs name hosts, not service aliases: one per address, the first name that has it.
  const hostRecords = forwardRecords(view).filter((r) => !['api', 'api-int', '*.apps'].includes(r.name));
  const byZone = new Map<string, DnsRecord[]>();
  const seen = new Set<string>();
  for (const r of hostRecords) {
    if (seen.has(r.value)) continue;
    seen.add(r.value);
    const name = reverseZoneOf(r.value, prefix);
    const list = byZone.get(name) ?? [];
    list.push({ name: ptrName(r.value, name), type: 'PTR', value: `${r.name}.${fqdn}.` });
    byZone.set(name, list);
  }
  const reverse = [...byZone.entries()]
    .sort(([a], [b]) => addressOf(a) - addressOf(b))
    .map(([name, records]) =>
      zone(
        name,
        records.sort((x, y) => addressOf(`${x.name}.${name}`) - addressOf(`${y.name}.${name}`)),
      ),
    );
  return { forward: zone(fqdn, forwardRecords(view)), reverse };
}

// The address an in-addr.arpa name stands for, missing octets as 0 (for sorting).
function addressOf(arpa: string): number {
  const octets = arpa.split('.').slice(0, -2).reverse();
  while (octets.length < 4) octets.push('0');
  return parseIpv4(octets.join('.')) ?? 0;
}
