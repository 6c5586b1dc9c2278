// ECMA-119 path tables (9.4): every directory's identifier, extent and parent, in the order
// readers that use them (DOS, Windows) expect. fyr release rewrites xorriso's tables once its
// own payload directories are grafted in (release/graft.ts). Pure byte functions.
import { PVD_OFFSET, SECTOR, type ReadAt } from './read.js';

export interface PathNode {
  // Raw identifier ([0] for the root).
  id: Buffer;
  lba: number;
  children: PathNode[];
}

// Where the primary volume descriptor keeps the tables (ECMA-119 8.4.14 to 8.4.18).
const PATH_TABLE_FIELDS = { size: 132, l: 140, optionalL: 144, m: 148, optionalM: 152 };

export const pathRecordLength = (idLength: number) => 8 + idLength + (idLength % 2);

// The type L table the primary descriptor points at, as a tree.
export function readPathTable(read: ReadAt): PathNode {
  const pvd = read(PVD_OFFSET, SECTOR);
  const size = pvd.readUInt32LE(PATH_TABLE_FIELDS.size);
  const table = read(pvd.readUInt32LE(PATH_TABLE_FIELDS.l) * SECTOR, size);
  if (table.length < size) throw new Error('the path table extends past the image');
  const nodes: PathNode[] = [];
  for (let at = 0; at < size;) {
    const idLength = table[at]!;
    if (idLength === 0 || at + pathRecordLength(idLength) > size)
      throw new Error(`a malformed path table record at ${at}`);
    const node: PathNode = {
      id: Buffer.from(table.subarray(at + 8, at + 8 + idLength)),
      lba: table.readUInt32LE(at + 2),
      children: [],
    };
    const parent = table.readUInt16LE(at + 6);
    if (nodes.length > 0) {
      const up = nodes[parent - 1];
      if (!up || parent > nodes.length) throw new Error(`path table record ${nodes.length + 1} names parent ${parent}`);
      up.children.push(node);
    }
    nodes.push(node);
    at += pathRecordLength(idLength);
  }
  if (nodes.length === 0) throw new Error('the path table is empty');
  return nodes[0]!;
}

// Every node in table order: by level, then by parent's number, then by identifier. A walk of
// the levels with each node's children in identifier order gives exactly that.
function tableOrder(root: PathNode): Array<{ node: PathNode; parent: number }> {
  const out = [{ node: root, parent: 1 }];
  for (let i = 0; i < out.length; i++) {
    const children = [...out[i]!.node.children].sort((a, b) => Buffer.compare(a.id, b.id));
    for (const node of children) out.push({ node, parent: i + 1 });
  }
  return out;
}

// The type L (little-endian) and type M (big-endian) tables.
export function pathTables(root: PathNode): { l: Buffer; m: Buffer } {
  const order = tableOrder(root);
  // Parent numbers are 16 bits.
  if (order.length > 0xffff) throw new RangeError(`${order.length} directories: a path table holds at most 65,535`);
  const size = order.reduce((n, { node }) => n + pathRecordLength(node.id.length), 0);
  const l = Buffer.alloc(size);
  const m = Buffer.alloc(size);
  let at = 0;
  for (const { node, parent } of order) {
    for (const b of [l, m]) {
      b[at] = node.id.length;
      node.id.copy(b, at + 8);
    }
    l.writeUInt32LE(node.lba, at + 2);
    l.writeUInt16LE(parent, at + 6);
    m.writeUInt32BE(node.lba, at + 2);
    m.writeUInt16BE(parent, at + 6);
    at += pathRecordLength(node.id.length);
  }
  return { l, m };
}

// The descriptor's fields for tables of `size` bytes at sectors `l` and `m` (no optional copies).
export function patchPathTableFields(pvd: Buffer, size: number, l: number, m: number): void {
  pvd.writeUInt32LE(size, PATH_TABLE_FIELDS.size);
  pvd.writeUInt32BE(size, PATH_TABLE_FIELDS.size + 4);
  pvd.writeUInt32LE(l, PATH_TABLE_FIELDS.l);
  pvd.writeUInt32LE(0, PATH_TABLE_FIELDS.optionalL);
  pvd.writeUInt32BE(m, PATH_TABLE_FIELDS.m);
  pvd.writeUInt32BE(0, PATH_TABLE_FIELDS.optionalM);
}
