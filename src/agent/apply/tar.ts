// Reads the site area's tar (what packTar in util/tar.ts writes: ustar, sorted, files only) in
// the agent: the bundle carries no tar library (tar-stream stays with the build side), and a
// site area is kilobytes held in memory. Long names come as ustar prefixes or pax/GNU records.

export interface AreaFile {
  path: string;
  mode: number;
  content: Buffer;
}

const BLOCK = 512;

const text = (b: Buffer, from: number, length: number) => {
  const raw = b.subarray(from, from + length);
  const end = raw.indexOf(0);
  return raw.toString('utf8', 0, end < 0 ? raw.length : end);
};

function octal(b: Buffer, from: number, length: number, what: string): number {
  const s = text(b, from, length).trim();
  if (!/^[0-7]*$/.test(s)) throw new Error(`a tar header's ${what} is not octal`);
  return s === '' ? 0 : parseInt(s, 8);
}

// "27 path=bundle/etc/...\n" records; only the path matters here.
function paxPath(data: Buffer): string | undefined {
  let at = 0;
  let path: string | undefined;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const length = Number(data.toString('utf8', at, space));
    if (space < 0 || !Number.isInteger(length) || length <= 0) throw new Error('a pax header is damaged');
    const record = data.toString('utf8', space + 1, at + length - 1);
    if (record.startsWith('path=')) path = record.slice('path='.length);
    at += length;
  }
  return path;
}

// The files of a tar; an area of zeros holds none. Throws for bytes that are not a tar.
export function readTar(area: Buffer): AreaFile[] {
  const files: AreaFile[] = [];
  let at = 0;
  let longName: string | undefined;
  while (at + BLOCK <= area.length) {
    const header = area.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
    const recorded = text(header, 148, 8).trim();
    if (!/^[0-7]+$/.test(recorded) || sum !== parseInt(recorded, 8))
      throw new Error(`no tar header at byte ${at} (its checksum does not match)`);
    const size = octal(header, 124, 12, 'size');
    const type = String.fromCharCode(header[156]!);
    const start = at + BLOCK;
    if (start + size > area.length) throw new Error('the tar ends inside a file');
    const data = area.subarray(start, start + size);
    at = start + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x' || type === 'L') {
      longName = type === 'x' ? paxPath(data) : text(data, 0, data.length);
      continue;
    }
    const prefix = text(header, 257, 6) === 'ustar' ? text(header, 345, 155) : '';
    const path = longName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
    longName = undefined;
    if (type === '0' || type === '\0')
      files.push({ path, mode: octal(header, 100, 8, 'mode'), content: Buffer.from(data) });
  }
  return files;
}
