// The in-place steps of fyr release around xorriso's session: fyr's payload tree over the copy
// of the base, the check that xorriso left it in place, the MD5 pad's padding block, and for
// RHEL 10 the partition table and the base's stale partition-offset superblock.
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { FyrError } from '../errors.js';
import { KS_PATH, MD5_PAD_PATH, MD5_PAD_SIZE, SITE_AREA_PATH } from '../formats/media-layout.js';
import { fileReader } from '../util/fs.js';
import { gptWrites, LBA, mbrPartitions, seededGuid, TYPE_BASIC_DATA, TYPE_ESP } from '../iso9660/gpt.js';
import { SECTOR, walkIso } from '../iso9660/read.js';
import { md5PaddingBlock } from '../iso9660/isomd5.js';
import type { PayloadSession } from './payload-session.js';
import { writeError } from '../util/write-error.js';

// The superblock and directories of fyr's payload tree over the copy of the base; the payload
// extents stay holes until they are filled.
export function writeSession(path: string, session: PayloadSession): void {
  const fd = openSync(path, 'r+');
  try {
    ftruncateSync(fd, session.end);
    for (const w of session.writes) writeSync(fd, w.data, 0, w.data.length, w.offset);
  } catch (err) {
    throw writeError(err, path);
  } finally {
    closeSync(fd);
  }
}

// xorriso must have kept every payload file where fyr put it. Returns where the first embed
// area starts and, when the MD5 pad lies just before it, where the pad's padding block goes
// (written here); without it the MD5 is computed by fyr's own, slower implementation.
export function checkPlacement(path: string, session: PayloadSession): { first: number; padAt: number | undefined } {
  const fd = openSync(path, 'r+');
  try {
    const entries = new Map(walkIso(fileReader(fd)).map((e) => [e.path, e]));
    for (const f of session.files) {
      const got = entries.get(f.isoPath)?.extents.filter((x) => x.length > 0) ?? [];
      const want = f.extents.filter((x) => x.length > 0);
      if (got.length !== want.length || got.some((x, i) => x.offset !== want[i]!.offset || x.length !== want[i]!.length)) {
        throw new FyrError('INTERNAL', `xorriso moved ${f.isoPath} (planned at ${want[0]?.offset ?? 0}, found at ${got[0]?.offset ?? 'nowhere'})`);
      }
    }
    const offset = (p: string) => {
      const extent = entries.get(p)?.extents[0];
      if (!extent) throw new FyrError('INTERNAL', `${p} is missing from the written image`);
      return extent.offset;
    };
    const first = Math.min(offset(KS_PATH), offset(SITE_AREA_PATH));
    if (offset(MD5_PAD_PATH) + MD5_PAD_SIZE !== first) return { first, padAt: undefined };
    writeSync(fd, md5PaddingBlock(first - 64), 0, 64, first - 64);
    return { first, padAt: first - 64 };
  } finally {
    closeSync(fd);
  }
}

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
      { type: TYPE_ESP, guid: seededGuid(`${seed}/esp`), firstLba: esp.first, lastLba: esp.first + esp.count - 1, name: 'Appended2' },
    ];
    const w = gptWrites(size, partitions, seededGuid(`${seed}/disk`));
    writeSync(fd, w.mbrTable, 0, w.mbrTable.length, 446);
    writeSync(fd, w.primary, 0, w.primary.length, LBA);
    writeSync(fd, w.backup, 0, w.backup.length, w.backupAt);
  } catch (err) {
    throw err instanceof FyrError ? err : writeError(err, path);
  } finally {
    closeSync(fd);
  }
}
