// The GPT fyr writes for RHEL 10 releases: CRC-32 and GUID encoding against known values, the
// table's fields byte for byte, and a table on a real file read back by sgdisk, which checks
// CRCs, the backup and overlaps.
import { closeSync, openSync, writeSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  BACKUP_BYTES,
  crc32,
  gptWrites,
  guidBytes,
  mbrPartitions,
  seededGuid,
  TYPE_BASIC_DATA,
  TYPE_ESP,
} from '../../src/iso9660/gpt.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

test('gpt :: CRC-32 and GUID byte order', () => {
  // The standard check value of CRC-32/ISO-HDLC.
  assert.is(crc32(Buffer.from('123456789')), 0xcbf43926);
  assert.is(guidBytes(TYPE_ESP).toString('hex'), '28732ac11ff8d211ba4b00a0c93ec93b');
  assert.is(seededGuid('a'), seededGuid('a'));
  assert.match(seededGuid('a'), /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
});

const partitions = [
  { type: TYPE_BASIC_DATA, guid: seededGuid('t/iso'), firstLba: 64, lastLba: 4095, name: 'ISO9660' },
  { type: TYPE_ESP, guid: seededGuid('t/esp'), firstLba: 4096, lastLba: 6143, name: 'Appended2' },
];

test('gpt :: header, entries and protective MBR, field by field', () => {
  const w = gptWrites(6144 * 512, partitions, seededGuid('t/disk'));
  const h = w.primary.subarray(0, 512);
  assert.is(h.toString('latin1', 0, 8), 'EFI PART');
  assert.is(h.readBigUInt64LE(24), 1n);
  // 6144 sectors of image + 33 of backup: the last sector is 6176.
  assert.is(h.readBigUInt64LE(32), 6176n);
  assert.is(h.readBigUInt64LE(40), 34n);
  assert.is(h.readBigUInt64LE(48), 6176n - 33n);
  assert.is(h.readBigUInt64LE(72), 2n);
  const check = Buffer.from(h.subarray(0, 92));
  check.writeUInt32LE(0, 16);
  assert.is(h.readUInt32LE(16), crc32(check));
  assert.is(h.readUInt32LE(88), crc32(w.primary.subarray(512)));
  const esp = w.primary.subarray(512 + 128, 512 + 256);
  assert.ok(esp.subarray(0, 16).equals(guidBytes(TYPE_ESP)));
  assert.is(esp.readBigUInt64LE(32), 4096n);
  assert.is(esp.readBigUInt64LE(40), 6143n);
  assert.is(esp.toString('utf16le', 56, 56 + 18), 'Appended2');
  assert.is(w.backup.length, BACKUP_BYTES);
  assert.is(w.backupAt, 6144 * 512);
  const sector0 = Buffer.alloc(512);
  w.mbrTable.copy(sector0, 446);
  assert.equal(mbrPartitions(sector0)[0], { type: 0xee, first: 1, count: 6176 });
  assert.equal([sector0[510], sector0[511]], [0x55, 0xaa]);
  assert.throws(
    () => gptWrites(6144 * 512, [{ ...partitions[1]!, lastLba: 6160 }], seededGuid('t/disk')),
    /outside the usable sectors/,
  );
});

test('gpt :: sgdisk reads the table back without a problem', async () => {
  const dir = await makeTmpdir();
  try {
    const file = join(dir, 'disk.img');
    const w = gptWrites(6144 * 512, partitions, seededGuid('t/disk'));
    const fd = openSync(file, 'w');
    ftruncateSync(fd, 6144 * 512);
    writeSync(fd, w.mbrTable, 0, w.mbrTable.length, 446);
    writeSync(fd, w.primary, 0, w.primary.length, 512);
    writeSync(fd, w.backup, 0, w.backup.length, w.backupAt);
    closeSync(fd);
    const verify = await execa('sgdisk', ['-v', file], { all: true });
    assert.match(verify.all, /No problems found/);
    const print = await execa('sgdisk', ['-p', file], { all: true });
    assert.match(print.all, /1\s+64\s+4095\s+.*0700\s+ISO9660/);
    assert.match(print.all, /2\s+4096\s+6143\s+.*EF00\s+Appended2/);
    // A flipped bit in the primary header is caught by its CRC.
    const fd2 = openSync(file, 'r+');
    writeSync(fd2, Buffer.from([0x01]), 0, 1, 512 + 40);
    closeSync(fd2);
    const broken = await execa('sgdisk', ['-v', file], { all: true, reject: false });
    assert.match(broken.all, /Main header: ERROR/);
    assert.match(broken.all, /Backup header: OK/);
  } finally {
    await removeTmpdir(dir);
  }
});

test.run();
