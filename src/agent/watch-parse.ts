// Reading node progress off the services' own records: the DHCP server's log (dhcpd's
// DHCPDISCOVER/DHCPACK, Kea's DHCP4_LEASE_* lines), its lease file (pool addresses handed to
// machines fyr does not know) and the content server's access log (kernel, initramfs, rootfs and
// ignition fetched). Pure functions of the text.
import type { NodeStep } from './state.js';

export interface DhcpSighting {
  mac: string;
  ip?: string;
  acked: boolean;
}

const MAC = '([0-9a-f]{2}(?::[0-9a-f]{2}){5})';

export function parseDhcpLog(text: string): DhcpSighting[] {
  const out: DhcpSighting[] = [];
  const ack = new RegExp(`DHCPACK on (\\d+\\.\\d+\\.\\d+\\.\\d+) to ${MAC}`, 'i');
  const discover = new RegExp(`DHCP(?:DISCOVER|REQUEST for \\S+(?: \\(\\S+\\))?) from ${MAC}`, 'i');
  for (const line of text.split('\n')) {
    const a = ack.exec(line);
    if (a) out.push({ mac: a[2]!.toLowerCase(), ip: a[1]!, acked: true });
    else {
      const d = discover.exec(line);
      if (d) out.push({ mac: d[1]!.toLowerCase(), acked: false });
    }
  }
  return out;
}

export function parseLeases(text: string): Array<{ mac: string; ip: string }> {
  const out: Array<{ mac: string; ip: string }> = [];
  for (const m of text.matchAll(/lease (\d+\.\d+\.\d+\.\d+) \{([^}]*)\}/g)) {
    const mac = new RegExp(`hardware ethernet ${MAC};`, 'i').exec(m[2]!)?.[1];
    if (mac) out.push({ mac: mac.toLowerCase(), ip: m[1]! });
  }
  return out;
}

// Kea labels each packet "[hwtype=1 aa:bb:cc:dd:ee:ff], cid=[...], tid=0x...". A lease granted
// to a DHCPREQUEST is DHCP4_LEASE_ALLOC (the ACK); an offer is DHCP4_LEASE_OFFER in 2.6 and
// DHCP4_LEASE_ADVERT before; 2.6 also logs each DHCPDISCOVER at INFO (DHCP4_PACKET_RECEIVED).
export function parseKeaLog(text: string): DhcpSighting[] {
  const out: DhcpSighting[] = [];
  const label = new RegExp(`\\[hwtype=\\d+ ${MAC}\\]`, 'i');
  const ip = '(\\d+\\.\\d+\\.\\d+\\.\\d+)';
  const alloc = new RegExp(`DHCP4_LEASE_ALLOC .*: lease ${ip} has been allocated`);
  const offer = new RegExp(`DHCP4_LEASE_(?:OFFER|ADVERT) .*: lease ${ip} will be (?:offered|advertised)`);
  for (const line of text.split('\n')) {
    const mac = label.exec(line)?.[1]?.toLowerCase();
    if (mac === undefined) continue;
    const a = alloc.exec(line);
    const o = a ? undefined : offer.exec(line);
    if (a) out.push({ mac, ip: a[1]!, acked: true });
    else if (o) out.push({ mac, ip: o[1]!, acked: false });
    else if (/DHCP4_PACKET_RECEIVED .*: DHCPDISCOVER /.test(line)) out.push({ mac, acked: false });
  }
  return out;
}

// Kea's memfile lease file (CSV with a header row). Rows are only appended: the last row for an
// address wins, and one with valid_lifetime 0 is a deleted lease.
export function parseKeaLeases(text: string): Array<{ mac: string; ip: string }> {
  const [header, ...rows] = text.split('\n');
  const columns = (header ?? '').split(',');
  const at = (name: string) => columns.indexOf(name);
  const [address, hwaddr, lifetime] = [at('address'), at('hwaddr'), at('valid_lifetime')];
  if (address < 0 || hwaddr < 0 || lifetime < 0) return [];
  const byAddress = new Map<string, { mac: string; ip: string } | undefined>();
  for (const row of rows) {
    const cells = row.split(',');
    const ip = cells[address] ?? '';
    const mac = (cells[hwaddr] ?? '').toLowerCase();
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) continue;
    byAddress.delete(ip);
    byAddress.set(ip, cells[lifetime] === '0' || !new RegExp(`^${MAC}$`).test(mac) ? undefined : { mac, ip });
  }
  return [...byAddress.values()].filter((l) => l !== undefined);
}

export interface Fetch {
  ip: string;
  path: string;
  status: number;
}

// Apache's combined (or common) format: host ident user [time] "METHOD path proto" status bytes ...
export function parseAccessLog(text: string): Fetch[] {
  const out: Fetch[] = [];
  for (const m of text.matchAll(/^(\S+) \S+ \S+ \[[^\]]*\] "(?:GET|HEAD) (\S+)[^"]*" (\d{3})/gm))
    out.push({ ip: m[1]!, path: m[2]!.split('?')[0]!, status: Number(m[3]) });
  return out;
}

export function stepOf(path: string): Exclude<NodeStep, 'dhcp'> | undefined {
  if (path === '/rhcos/kernel') return 'kernel';
  if (path === '/rhcos/initramfs.img') return 'initramfs';
  if (path === '/rhcos/rootfs.img') return 'rootfs';
  if (/^\/ignition\/[a-z]+\.ign$/.test(path)) return 'ignition';
  return undefined;
}
