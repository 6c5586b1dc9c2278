// The integrity of an etcd snapshot as `etcdctl snapshot save` writes it, checked without etcd
// (the bastion has none): the file is the member's bbolt database followed by the sha256 of
// that database, which the server appends to its Snapshot stream (etcd server/etcdserver/api/
// v3rpc/maintenance.go) and `etcdutl snapshot restore` checks when size % 512 == 32 (etcd
// etcdutl/snapshot/v3_snapshot.go). The database's two meta pages carry bbolt's magic, version
// and an FNV-1a checksum (go.etcd.io/bbolt internal/common/meta.go); one valid meta page and
// the whole database behind the high-water page is a database bbolt opens.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';

const HASH = 32;
const MAGIC = 0xed0cdaed;
const VERSION = 2;
const PAGE_HEADER = 16;
// magic, version, pageSize, flags (4 each), root bucket (16), freelist, pgid, txid (8 each).
const CHECKSUM_AT = 56;
const META_FLAG = 0x04;

export interface SnapshotCheck {
  ok: boolean;
  problem?: string;
  dbBytes?: number;
  pageSize?: number;
  txid?: bigint;
}

// FNV-1a, 64 bits.
function fnv1a64(bytes: Uint8Array): bigint {
  let h = 0xcbf29ce484222325n;
  for (const b of bytes) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h;
}

interface Meta {
  pageSize: number;
  pgid: bigint;
  txid: bigint;
}

export function readMeta(page: Buffer): Meta | undefined {
  if (page.length < PAGE_HEADER + CHECKSUM_AT + 8) return undefined;
  if ((page.readUInt16LE(8) & META_FLAG) === 0) return undefined;
  const meta = page.subarray(PAGE_HEADER);
  if (meta.readUInt32LE(0) !== MAGIC || meta.readUInt32LE(4) !== VERSION) return undefined;
  if (fnv1a64(meta.subarray(0, CHECKSUM_AT)) !== meta.readBigUInt64LE(CHECKSUM_AT)) return undefined;
  return { pageSize: meta.readUInt32LE(8), pgid: meta.readBigUInt64LE(40), txid: meta.readBigUInt64LE(48) };
}

async function sha256Of(path: string, end: number): Promise<Buffer> {
  const hash = createHash('sha256');
  if (end > 0)
    for await (const chunk of createReadStream(path, { start: 0, end: end - 1 })) hash.update(chunk as Buffer);
  return hash.digest();
}

export async function checkSnapshot(path: string): Promise<SnapshotCheck> {
  const { size } = await stat(path);
  if (size % 512 !== HASH)
    return { ok: false, problem: `its size (${size} bytes) is not a database followed by its sha256` };
  const dbBytes = size - HASH;
  const file = await open(path, 'r');
  let trailer: Buffer;
  let metas: Array<Meta | undefined>;
  try {
    trailer = Buffer.alloc(HASH);
    await file.read(trailer, 0, HASH, dbBytes);
    const first = Buffer.alloc(Math.min(4096, dbBytes));
    await file.read(first, 0, first.length, 0);
    const m0 = readMeta(first);
    const pageSize = m0?.pageSize ?? 4096;
    const second = Buffer.alloc(Math.min(pageSize, Math.max(0, dbBytes - pageSize)));
    await file.read(second, 0, second.length, pageSize);
    metas = [m0, readMeta(second)];
  } finally {
    await file.close();
  }
  if (!(await sha256Of(path, dbBytes)).equals(trailer))
    return { ok: false, problem: 'the database does not match the sha256 etcd appended to it' };
  const meta = metas.filter((m): m is Meta => m !== undefined).sort((a, b) => Number(b.txid - a.txid))[0];
  if (!meta) return { ok: false, problem: 'neither bbolt meta page is valid (magic, version, checksum)' };
  if (BigInt(dbBytes) < meta.pgid * BigInt(meta.pageSize))
    return {
      ok: false,
      problem: `the database is cut short: ${dbBytes} bytes, its pages need ${meta.pgid * BigInt(meta.pageSize)}`,
    };
  return { ok: true, dbBytes, pageSize: meta.pageSize, txid: meta.txid };
}
