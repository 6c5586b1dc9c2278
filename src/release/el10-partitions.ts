// RHEL 10's partition table in a release. libisofs cannot grow an image past 4 GiB with a GPT
// or a partition offset, so xorriso writes the ESP as MBR partition 2; fyr then gives the
// release the base's kind of table back (a protective MBR and a GPT, gpt.ts) and zeroes the
// base's copy of the superblock at its partition offset, which describes the base's old tree.
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { FyrError, isFyrError } from '../errors.js';
import { gptWrites, LBA, mbrPartitions, seededGuid, TYPE_BASIC_DATA, TYPE_ESP } from '../iso9660/gpt.js';
import { SECTOR } from '../iso9660/read.js';
import { writeError } from '../util/write-error.js';

export function partitionOffset(report: { bootCommands: readonly string[] }): number {
  const m = report.bootCommands.map((c) => /^-boot_image any partition_offset=(\d+)$/.exec(c)).find(Boolean);
  return m ? Number(m[1]) : 0;
}

// Zeroes the volume descriptors at the partition offset (sector offset + 16 on), up to their
// terminator.
export function dropSuperblockCopy(path: string, offset: number): void {
  const fd = openSync(path, 'r+');
  try {
    const vd = Buffer.alloc(SECTOR);
    for (let n = offset + 16; n < offset + 48; n++) {
      if (readSync(fd, vd, 0, SECTOR, n * SECTOR) < SECTOR || vd.toString('latin1', 1, 6) !== 'CD001') break;
      const last = vd[0] === 255;
      writeSync(fd, Buffer.alloc(SECTOR), 0, SECTOR, n * SECTOR);
      if (last) break;
    }
  } finally {
    closeSync(fd);
  }
}

// RHEL 10's partition table: xorriso wrote the ESP as MBR partition 2; the release gets the
// base's kind of table, a protective MBR and a GPT with the ISO data and the ESP (gpt.ts).
export function writeGpt(path: string, seed: string): void {
  const fd = openSync(path, 'r+');
  try {
    const sector0 = Buffer.alloc(LBA);
    readSync(fd, sector0, 0, LBA, 0);
    const esp = mbrPartitions(sector0).find((p) => p.type === 0xef);
    if (!esp) throw new FyrError('INTERNAL', 'xorriso wrote no EFI system partition (MBR type 0xef)');
    const size = fstatSync(fd).size;
    const partitions = [
      { type: TYPE_BASIC_DATA, guid: seededGuid(`${seed}/iso`), firstLba: 64, lastLba: esp.first - 1, name: 'ISO9660' },
      {
        type: TYPE_ESP,
        guid: seededGuid(`${seed}/esp`),
        firstLba: esp.first,
        lastLba: esp.first + esp.count - 1,
        name: 'Appended2',
      },
    ];
    const w = gptWrites(size, partitions, seededGuid(`${seed}/disk`));
    writeSync(fd, w.mbrTable, 0, w.mbrTable.length, 446);
    writeSync(fd, w.primary, 0, w.primary.length, LBA);
    writeSync(fd, w.backup, 0, w.backup.length, w.backupAt);
  } catch (err) {
    throw isFyrError(err) ? err : writeError(err, path);
  } finally {
    closeSync(fd);
  }
}
