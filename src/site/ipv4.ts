// IPv4 arithmetic for the cross-field rules: addresses as unsigned 32-bit integers.

export interface Ipv4Net {
  network: number;
  prefix: number;
  broadcast: number;
}

// Parses a dotted quad the schema has already accepted; returns undefined otherwise.
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

// Mask of a prefix length as an unsigned integer (prefix 0 is the whole space).
function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

// Parses "A.B.C.D/N", keeping the address as written (host bits may be set).
export function parseCidr(text: string): { address: number; prefix: number } | undefined {
  const [addr, len, ...rest] = text.split('/');
  if (addr === undefined || len === undefined || rest.length > 0 || !/^[0-9]{1,2}$/.test(len)) return undefined;
  const address = parseIpv4(addr);
  const prefix = Number(len);
  if (address === undefined || prefix > 32) return undefined;
  return { address, prefix };
}

// The network an address with a prefix belongs to.
export function networkOf(address: number, prefix: number): Ipv4Net {
  const mask = maskOf(prefix);
  const network = (address & mask) >>> 0;
  return { network, prefix, broadcast: (network | (~mask >>> 0)) >>> 0 };
}

export function netmaskOf(prefix: number): string {
  return formatIpv4(maskOf(prefix));
}

export function contains(net: Ipv4Net, address: number): boolean {
  return address >= net.network && address <= net.broadcast;
}

export function overlaps(a: Ipv4Net, b: Ipv4Net): boolean {
  return a.network <= b.broadcast && b.network <= a.broadcast;
}

export function formatNet(net: Ipv4Net): string {
  return `${formatIpv4(net.network)}/${net.prefix}`;
}
