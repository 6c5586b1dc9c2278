// Copies the payload into the extents planned for it (payload-session.ts), in image order, with
// 4 MiB reads and writes, checking each file's sha256 on the way, while a worker computes the
// media-check MD5 of the image on the other core from the same buffers. All-zero pieces are not
// written: the image file was sized in advance, so they are holes that read as zeros (a sparse
// input stays sparse).
//
// The image is written with O_DIRECT where the filesystem allows it: gigabytes written through
// the page cache here cost 2.5 s of CPU per GB and vary 3x run to run with writeback
// throttling, where direct writes of the same bytes take 0.2 s of CPU per GB (measured with dd
// on 4.4 GB: 2.7 to 3.2 s against 5 to 13 s buffered), and nothing the image is made of is
// read back but the few MiB xorriso wrote.
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { FyrError } from '../errors.js';
import { imageMd5, type ImageMd5, type ImageMd5Target } from './image-md5.js';
import { throwIfAborted, type LongWork, type ProgressEvent } from '../util/progress.js';
import { writeError } from '../util/write-error.js';
import { BufferPool } from './buffer-pool.js';
import { CHUNK, piecesOf, ReadAhead, readBatch, type FillFile, type Piece } from './payload-pieces.js';
import type { IsoMd5Checkpoint } from '../iso9660/isomd5.js';

export type { FillFile } from './payload-pieces.js';

export interface FillResult {
  // The media-check MD5 state at the first embed area (none after a mismatch).
  checkpoint: IsoMd5Checkpoint | undefined;
  // With a checkpoint: the MD5 worker, still running, for the bytes after it. The caller owns
  // it now (rest() once they are final, and stop() in any case).
  md5?: Pick<ImageMd5, 'rest' | 'stop'>;
  // Files whose sha256 is not the expected one. After the first, nothing more is written.
  mismatches: Array<{ index: number; actual: string }>;
  // Files with no expected sha256: what they hash to (and the bytes of those to keep), by index.
  read: Map<number, { sha256: string; bytes?: Buffer }>;
  // Whether the image was written with O_DIRECT.
  direct: boolean;
}

export interface FillOptions extends LongWork<ProgressEvent<'write'>> {
  // false: buffered writes even where direct ones would work (for tests of that path).
  direct?: boolean;
  // The MD5 worker, started early (startImageMd5); this call owns it from here on.
  md5?: ImageMd5;
  // Called once, when the copy first waits for a buffer (it is ahead of the MD5 and has time
  // to spare on this thread), or at its end if it never did.
  ahead?: () => void;
}

// O_DIRECT offsets and lengths must be multiples of the device's logical block size. Pieces
// start on 2 KiB sectors; a file's last piece is rounded up to 512 bytes, which never reaches
// the next file (it starts on the next sector). A 4 KiB-sector disk fails the probe below and
// gets buffered writes.
const DIRECT_ALIGN = 512;
// Pieces in flight: one being read and hashed, the others being written.
const BUFFERS = 8;
const ZERO = Buffer.alloc(CHUNK);

// The MD5 worker with the copy's buffers, started before the image is laid out.
export const startImageMd5 = (): ImageMd5 => imageMd5(BUFFERS, CHUNK + 4096);

// Inputs are opened, read and closed on this thread: from the page cache a 4 MiB read is a
// copy of a millisecond, where libuv's four threads, busy with the image's direct writes, made
// each open, read and close wait its turn behind them (about 6 s over a 5,600-file tree).
function readFull(input: number, buf: Buffer, length: number, position: number, source: string): Buffer {
  let got = 0;
  while (got < length) {
    const bytesRead = readSync(input, buf, got, length - got, position + got);
    if (bytesRead === 0) throw new FyrError('CONTENT_INVALID', `${source} became shorter while it was copied`);
    got += bytesRead;
  }
  return buf.subarray(0, length);
}

// The image opened for direct writes if a probe write of one 512-byte zero block at `probeAt`
// (the first payload byte, a hole that the payload fills later) succeeds, else for ordinary
// buffered writes (tmpfs, 4 KiB-sector disks).
async function openImage(
  target: string,
  probeAt: number | undefined,
  aligned: Buffer,
): Promise<{ out: FileHandle; direct: boolean }> {
  if (probeAt !== undefined) {
    const direct = await open(target, constants.O_RDWR | constants.O_DIRECT).catch(() => undefined);
    if (direct) {
      aligned.fill(0, 0, DIRECT_ALIGN);
      const ok = await direct.write(aligned, 0, DIRECT_ALIGN, probeAt).then(
        () => true,
        () => false,
      );
      if (ok) return { out: direct, direct: true };
      await direct.close();
    }
  }
  return { out: await open(target, 'r+'), direct: false };
}

// `files` in image order. Pieces are read and hashed in order on this thread while earlier ones
// are still being written by libuv's threads and MD5-hashed by the worker.
export async function fillPayload(
  image: ImageMd5Target,
  files: readonly FillFile[],
  options: FillOptions = {},
): Promise<FillResult> {
  const target = image.path;
  const total = files.reduce((n, f) => n + f.size, 0);
  const mismatches: FillResult['mismatches'] = [];
  const read: FillResult['read'] = new Map();
  // A file read: checked against its sha256, or recorded when it has none.
  const check = (index: number, actual: string, bytes?: Buffer) => {
    const f = files[index]!;
    if (f.sha256 === undefined) read.set(index, { sha256: actual, ...(f.keep && bytes ? { bytes } : {}) });
    else if (actual !== f.sha256) mismatches.push({ index, actual });
  };
  const pool = new BufferPool(BUFFERS);
  pool.onFirstWait = options.ahead;
  // Room after each piece for the zeros that round a direct write up; slots stay 4 KiB-aligned.
  const pieces = piecesOf(files);
  const readAhead = new ReadAhead(files, pieces);
  const idle = () => readAhead.step();
  const last = pieces.at(-1);
  // Between the first piece and the end of the last, the image holds the payload and the zeros
  // that pad each file to its sector: nothing else is written there.
  const zeros = last && { from: pieces[0]!.at, to: last.at + last.length };
  const md5 = options.md5 ?? startImageMd5();
  md5.begin({ ...image, ...(zeros ? { zeros } : {}) }, pieces[0]?.at ?? image.stopAt, (slot) => pool.hashed(slot));
  let opened: Awaited<ReturnType<typeof openImage>>;
  try {
    // Its pages faulted in by the worker; no slot is written before.
    await md5.ready;
    opened = await openImage(target, options.direct === false ? undefined : pieces[0]?.at, md5.slots[0]!);
  } catch (err) {
    await md5.stop();
    throw err;
  }
  const { out, direct } = opened;
  let failure: FyrError | undefined;
  md5.failed.catch((err: FyrError) => {
    // Stopped on purpose after a mismatch, or broken: either way no more buffers come back.
    if (mismatches.length === 0) failure ??= err;
    pool.interrupt();
  });
  const writes = new Set<Promise<void>>();
  // A direct write of a file's last piece is rounded up with zeros, which are what the image
  // holds up to the end of the file's last sector anyway.
  const write = (slot: number, piece: Piece) => {
    const length = direct ? Math.ceil(piece.length / DIRECT_ALIGN) * DIRECT_ALIGN : piece.length;
    md5.slots[slot]!.fill(0, piece.length, length);
    const pending = out
      .write(md5.slots[slot]!, 0, length, piece.at)
      .then(
        () => undefined,
        (err: unknown) => {
          failure ??= writeError(err, target);
        },
      )
      .finally(() => {
        writes.delete(pending);
        pool.release(slot);
      });
    writes.add(pending);
  };
  let done = 0;
  let input: number | undefined;
  let handedOver = false;
  try {
    let hash = createHash('sha256');
    const spent = { batches: 0, read: 0, sha256: 0 };
    for (const piece of pieces) {
      throwIfAborted(options.signal, 'the image was complete');
      if (failure) throw failure;
      if (piece.batch) {
        const slot = await pool.take(() => failure !== undefined, idle);
        if (slot === undefined) throw failure!;
        const buf = md5.slots[slot]!;
        const t = performance.now();
        const sums = readBatch(files, piece, buf, readAhead);
        spent.batches += performance.now() - t;
        const copying = mismatches.length === 0;
        sums.forEach((actual, i) => {
          const index = piece.batch![i]!;
          const f = files[index]!;
          const at = f.extents[0]!.offset - piece.at;
          check(index, actual, f.keep ? Buffer.from(buf.subarray(at, at + f.size)) : undefined);
        });
        pool.use(slot, copying, copying);
        if (copying) {
          write(slot, piece);
          md5.piece(piece.at, piece.length, slot);
        }
        if (copying && mismatches.length > 0) {
          await md5.stop();
          pool.reclaim();
        }
        done += piece.batch.reduce((n, i) => n + files[i]!.size, 0);
        options.onProgress?.({ phase: 'write', done, total });
        continue;
      }
      const file = files[piece.file]!;
      if (piece.from === 0) {
        hash = createHash('sha256');
        // NOTE: O_NOFOLLOW: a file checked as regular and swapped for a link since is refused.
        try {
          input = openSync(file.source, constants.O_RDONLY | constants.O_NOFOLLOW);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          throw new FyrError('CONTENT_INVALID', `cannot read ${file.source}: ${code ?? (err as Error).message}`);
        }
      }
      const slot = await pool.take(() => failure !== undefined, idle);
      if (slot === undefined) throw failure!;
      let t = performance.now();
      const data = readFull(input!, md5.slots[slot]!, piece.length, piece.from, file.source);
      spent.read += performance.now() - t;
      t = performance.now();
      hash.update(data);
      spent.sha256 += performance.now() - t;
      // After a mismatch the image is abandoned: the rest is only read, to report every one.
      const copying = mismatches.length === 0;
      // All-zero pieces are not written: they are holes in the image sized in advance.
      const writing = copying && !data.equals(ZERO.subarray(0, piece.length));
      pool.use(slot, writing, copying);
      if (writing) write(slot, piece);
      if (copying) md5.piece(piece.at, piece.length, slot);
      done += piece.length;
      options.onProgress?.({ phase: 'write', done, total });
      if (piece.from + piece.length === file.size) {
        closeSync(input!);
        input = undefined;
        const before = mismatches.length;
        check(piece.file, hash.digest('hex'));
        if (before === 0 && mismatches.length === 1) {
          await md5.stop();
          pool.reclaim();
        }
      }
    }
    pool.onFirstWait?.();
    // Files of no bytes have no pieces; their checksum is that of nothing.
    files.forEach((f, index) => f.size === 0 && check(index, EMPTY_SHA256, Buffer.alloc(0)));
    let t = performance.now();
    await Promise.all(writes);
    const lastWrites = performance.now() - t;
    if (failure) throw failure;
    if (mismatches.length > 0)
      return { checkpoint: undefined, mismatches: mismatches.sort((a, b) => a.index - b.index), read, direct };
    t = performance.now();
    const checkpoint = await md5.end();
    measure({
      'payload: reading inputs (this thread)': spent.read,
      'payload: sha256 of inputs': spent.sha256,
      'payload: small files read and sha256-checked in batches': spent.batches,
      'payload: small files read ahead, while waiting for a buffer': readAhead.spent,
      'payload: waiting for a buffer a write held': pool.waited.write,
      'payload: waiting for a buffer the MD5 worker held': pool.waited.md5,
      'payload: the last writes, after the last read': lastWrites,
      'payload: the MD5 catching up, after the last write': performance.now() - t,
    });
    handedOver = true;
    return { checkpoint, md5, mismatches, read, direct };
  } finally {
    if (input !== undefined) closeSync(input);
    await Promise.allSettled(writes);
    try {
      await out.close();
    } catch (err) {
      // Nothing is returned after all: the worker is still this function's to stop.
      handedOver = false;
      throw err;
    } finally {
      if (!handedOver) await md5.stop();
    }
  }
}

const EMPTY_SHA256 = createHash('sha256').digest('hex');

// For FYR_TIMINGS: totals of the copy's parts (printed by the CLI; nothing when it is not set).
function measure(parts: Record<string, number>): void {
  for (const [name, ms] of Object.entries(parts)) performance.measure(`fyr: ${name}`, { start: 0, duration: ms });
}
