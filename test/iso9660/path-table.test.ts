// ECMA-119 path tables: records byte for byte, the order readers expect, read back as written.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pathTables, readPathTable, patchPathTableFields, type PathNode } from '../../src/iso9660/path-table.js';

const node = (id: string, lba: number, children: PathNode[] = []): PathNode => ({
  id: id === '' ? Buffer.from([0]) : Buffer.from(id),
  lba,
  children,
});

test('path-table :: records by level, then parent number, then identifier; both byte orders', () => {
  // Children given out of order: the table sorts them.
  const root = node('', 20, [node('ZZ', 30, [node('A', 33)]), node('AB', 31, [node('Q', 34), node('P', 35)])]);
  const { l, m } = pathTables(root);
  assert.is(l.length, 6 * 10, 'six records of 8 bytes and a 1- or 2-byte identifier');
  // Root (1-byte id, padded), AB, ZZ, then AB's P, Q (parent 2), then ZZ's A (parent 3).
  assert.equal([...l.subarray(0, 10)], [1, 0, 20, 0, 0, 0, 1, 0, 0, 0]);
  assert.equal([...l.subarray(10, 20)], [2, 0, 31, 0, 0, 0, 1, 0, 0x41, 0x42]);
  assert.equal([...m.subarray(10, 20)], [2, 0, 0, 0, 0, 31, 0, 1, 0x41, 0x42]);
  const ids: string[] = [];
  const parents: number[] = [];
  for (let at = 0; at < l.length; at += 8 + l[at]! + (l[at]! % 2)) {
    ids.push(l.toString('latin1', at + 8, at + 8 + l[at]!));
    parents.push(l.readUInt16LE(at + 6));
  }
  assert.equal(ids.slice(1), ['AB', 'ZZ', 'P', 'Q', 'A']);
  assert.equal(parents, [1, 1, 1, 2, 2, 3]);
});

test('path-table :: read back through the descriptor as the same tree', () => {
  const root = node('', 20, [node('B', 30, [node('C', 40)]), node('A', 31)]);
  const { l, m } = pathTables(root);
  const image = Buffer.alloc(60 * 2048);
  const pvd = image.subarray(16 * 2048, 17 * 2048);
  patchPathTableFields(pvd, l.length, 50, 52);
  l.copy(image, 50 * 2048);
  m.copy(image, 52 * 2048);
  assert.is(pvd.readUInt32BE(136), l.length);
  assert.is(pvd.readUInt32BE(148), 52);
  const back = readPathTable((at, length) => image.subarray(at, at + length));
  const flat = (n: PathNode): unknown => [n.id.toString('latin1'), n.lba, n.children.map(flat)];
  assert.equal(flat(back), [
    '\0',
    20,
    [
      ['A', 31, []],
      ['B', 30, [['C', 40, []]]],
    ],
  ]);
});

test('path-table :: more directories than 16-bit parent numbers can name is refused', () => {
  const many = node(
    '',
    1,
    Array.from({ length: 0x10000 }, (_, i) => node(`D${i}`, i + 2)),
  );
  assert.throws(() => pathTables(many), /65,535/);
});

test.run();
