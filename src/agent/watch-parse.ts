// Reading node progress off the services' own records: dhcpd's log (DHCPDISCOVER/DHCPACK), its
// leases file (pool addresses handed to machines fyr does not know) and the content server's
// access log (kernel, initramfs, rootfs and ignition fetched). Pure functions of the text.
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
