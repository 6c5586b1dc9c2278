// A GUID partition table for a RHEL 10 release, written by fyr after xorriso: xorriso 1.5.4
// cannot grow an image past 4 GiB with a GPT appended partition (see xorriso.ts, bootArgs), so
// it writes an MBR one, and fyr turns that into the layout the base had: a protective MBR
// (GRUB's boot code kept) and a GPT whose partitions are the ISO 9660 data and the EFI system
// partition, its backup in 33 sectors appended to the image (UEFI spec 2.10, 5.3).
import { createHash } from 'node:crypto';

export const LBA = 512;
const ENTRIES = 128;
const ENTRY_SIZE = 128;
// The entry array: 128 entries of 128 bytes, 32 sectors.
const ARRAY_SECTORS = (ENTRIES * ENTRY_SIZE) / LBA;
// What the backup takes at the end of the image: the entry array and the header.
export const BACKUP_BYTES = (ARRAY_SECTORS + 1) * LBA;

export const TYPE_BASIC_DATA = 'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7';
export const TYPE_ESP = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';

export interface GptPartition {
  type: string;
  // Unique partition GUID.
  guid: string;
  firstLba: number;
  lastLba: number;
  name: string;
}

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

// CRC-32 as GPT uses it (ISO-HDLC, the zlib one). zlib.crc32 would do, but only from Node
// 20.15, and fyr supports every Node 20.
export function crc32(data: Uint8Array): number {
  let c = -1;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

// A GUID in its on-disk form: the first three fields little-endian, the rest as written.
export function guidBytes(text: string): Buffer {
  const hex = text.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`not a GUID: ${text}`);
  const b = Buffer.from(hex, 'hex');
  return Buffer.concat([
    Buffer.from(b.subarray(0, 4)).reverse(),
    Buffer.from(b.subarray(4, 6)).reverse(),
    Buffer.from(b.subarray(6, 8)).reverse(),
    b.subarray(8),
  ]);
}

// A version-4-shaped GUID derived from a seed, so the same release gets the same table.
export function seededGuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest();
  h[6] = (h[6]! & 0x0f) | 0x40;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`.toUpperCase();
}

function entryArray(partitions: readonly GptPartition[]): Buffer {
  const array = Buffer.alloc(ENTRIES * ENTRY_SIZE);
  partitions.forEach((p, i) => {
    const at = i * ENTRY_SIZE;
    guidBytes(p.type).copy(array, at);
    guidBytes(p.guid).copy(array, at + 16);
    array.writeBigUInt64LE(BigInt(p.firstLba), at + 32);
    array.writeBigUInt64LE(BigInt(p.lastLba), at + 40);
    array.write(p.name.slice(0, 36), at + 56, 'utf16le');
  });
  return array;
}

function header(
  self: number,
  alternate: number,
  arrayLba: number,
  lastUsable: number,
  diskGuid: string,
  arrayCrc: number,
): Buffer {
  const h = Buffer.alloc(LBA);
  h.write('EFI PART', 0, 'latin1');
  h.writeUInt32LE(0x00010000, 8);
  h.writeUInt32LE(92, 12);
  h.writeBigUInt64LE(BigInt(self), 24);
  h.writeBigUInt64LE(BigInt(alternate), 32);
  h.writeBigUInt64LE(BigInt(2 + ARRAY_SECTORS), 40);
  h.writeBigUInt64LE(BigInt(lastUsable), 48);
  guidBytes(diskGuid).copy(h, 56);
  h.writeBigUInt64LE(BigInt(arrayLba), 72);
  h.writeUInt32LE(ENTRIES, 80);
  h.writeUInt32LE(ENTRY_SIZE, 84);
  h.writeUInt32LE(arrayCrc, 88);
  h.writeUInt32LE(crc32(h.subarray(0, 92)), 16);
  return h;
}

export interface GptWrites {
  // Bytes 446..511 of sector 0: the protective MBR partition table and the boot signature.
  mbrTable: Buffer;
  // Sectors 1..33.
  primary: Buffer;
  // Appended at `backupAt` (the image's old end): the entry array and the backup header.
  backup: Buffer;
  backupAt: number;
}

// The table for an image of `imageBytes` bytes (a multiple of 512) that grows by BACKUP_BYTES.
export function gptWrites(imageBytes: number, partitions: readonly GptPartition[], diskGuid: string): GptWrites {
  if (imageBytes % LBA !== 0) throw new Error('the image size is not a multiple of 512');
  const sectors = imageBytes / LBA + ARRAY_SECTORS + 1;
  const lastLba = sectors - 1;
  const lastUsable = lastLba - ARRAY_SECTORS - 1;
  for (const p of partitions) {
    if (p.firstLba < 2 + ARRAY_SECTORS || p.lastLba > lastUsable || p.lastLba < p.firstLba)
      throw new Error(`partition ${p.name} (${p.firstLba}..${p.lastLba}) is outside the usable sectors`);
  }
  const array = entryArray(partitions);
  const arrayCrc = crc32(array);
  const primary = Buffer.concat([header(1, lastLba, 2, lastUsable, diskGuid, arrayCrc), array]);
  const backup = Buffer.concat([array, header(lastLba, 1, lastLba - ARRAY_SECTORS, lastUsable, diskGuid, arrayCrc)]);
  const mbrTable = Buffer.alloc(66);
  // One partition of type 0xEE from sector 1 to the end (or as far as 32 bits reach).
  mbrTable.set([0x00, 0x00, 0x02, 0x00, 0xee, 0xff, 0xff, 0xff], 0);
  mbrTable.writeUInt32LE(1, 8);
  mbrTable.writeUInt32LE(Math.min(sectors - 1, 0xffffffff), 12);
  mbrTable[64] = 0x55;
  mbrTable[65] = 0xaa;
  return { mbrTable, primary, backup, backupAt: imageBytes };
}

// The MBR partition entries (1 to 4) of a sector 0: type, first sector, sector count.
export function mbrPartitions(sector0: Buffer): Array<{ type: number; first: number; count: number }> {
  return [0, 1, 2, 3].map((i) => {
    const at = 446 + i * 16;
    return { type: sector0[at + 4]!, first: sector0.readUInt32LE(at + 8), count: sector0.readUInt32LE(at + 12) };
  });
}

// What is wrong with an image's GPT, as `sgdisk -v` would see it: each header's CRC, the backup
// where the primary says (the media check does not cover it), pointing back, with the same
// entries and the entry arrays' CRCs. Empty for an image without a GPT.
export function checkGpt(read: (position: number, length: number) => Buffer, imageBytes: number): string[] {
  const primary = read(LBA, LBA);
  if (primary.toString('latin1', 0, 8) !== 'EFI PART') return [];
  const lastLba = Math.floor(imageBytes / LBA) - 1;
  const headerProblems = (h: Buffer, which: string, self: number): string[] => {
    if (h.length < 92 || h.toString('latin1', 0, 8) !== 'EFI PART') return [`the ${which} GPT header is missing`];
    const size = h.readUInt32LE(12);
    if (size < 92 || size > LBA) return [`the ${which} GPT header has a size of ${size}`];
    const copy = Buffer.from(h.subarray(0, size));
    copy.writeUInt32LE(0, 16);
    if (crc32(copy) !== h.readUInt32LE(16)) return [`the ${which} GPT header's CRC is wrong`];
    if (Number(h.readBigUInt64LE(24)) !== self) return [`the ${which} GPT header is not at sector ${self}`];
    const arrayBytes = h.readUInt32LE(80) * h.readUInt32LE(84);
    if (arrayBytes === 0 || arrayBytes > 1 << 20) return [`the ${which} GPT header describes no usable entry array`];
    return [];
  };
  const first = headerProblems(primary, 'primary', 1);
  if (first.length > 0) return first;
  const alternate = Number(primary.readBigUInt64LE(32));
  if (alternate < 1 || alternate > lastLba)
    return [`the backup GPT header (sector ${alternate}) is past the image's end`];
  const backup = read(alternate * LBA, LBA);
  const second = headerProblems(backup, 'backup', alternate);
  if (second.length > 0) return second;
  const problems: string[] = [];
  if (Number(backup.readBigUInt64LE(32)) !== 1) problems.push('the backup GPT header does not point at the primary');
  const array = (h: Buffer) => read(Number(h.readBigUInt64LE(72)) * LBA, h.readUInt32LE(80) * h.readUInt32LE(84));
  const primaryArray = array(primary);
  const backupArray = array(backup);
  if (crc32(primaryArray) !== primary.readUInt32LE(88)) problems.push("the primary GPT entry array's CRC is wrong");
  if (crc32(backupArray) !== backup.readUInt32LE(88)) problems.push("the backup GPT entry array's CRC is wrong");
  if (!primaryArray.equals(backupArray)) problems.push('the backup GPT entries differ from the primary ones');
  const same = (at: number, length: number) =>
    primary.subarray(at, at + length).equals(backup.subarray(at, at + length));
  if (!same(40, 16) || !same(56, 16) || !same(80, 12))
    problems.push('the backup GPT header differs from the primary (usable sectors, disk GUID or entries)');
  return problems;
}
