// fyr flash: an ISO onto a USB stick (or any block device, or a file), with the checks a field
// tech needs: the target is not mounted, does not hold the running system, is big enough; large
// aligned writes; then the device's cache is dropped and it is read back and compared. A file
// is written under a temporary name and renamed once it reads back right, as every output is.
import { createHash } from 'node:crypto';
import { constants, fstatSync, statSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { FyrError, isFyrError } from '../errors.js';
import { tempSibling } from '../util/fs.js';
import { checkOutputDir } from '../util/output-dir.js';
import { throwIfAborted, type LongWork, type ProgressEvent } from '../util/progress.js';
import { writeError } from '../util/write-error.js';
import { runTool } from '../util/tools.js';
import { overlay, type Patch } from '../iso9660/media-check.js';
import { deviceInfo, type BlockDevice } from './lsblk.js';

// Why a disk must not be written, or undefined.
export function refusal(device: BlockDevice, imageSize: number): string | undefined {
  const system = device.mountpoints.filter((m) => ['/', '/boot', '/boot/efi', '/usr', '/var', '[SWAP]'].includes(m));
  if (system.length > 0)
    return `${device.path} holds the running system (${system.join(', ')}); refusing to overwrite it`;
  if (device.mountpoints.length > 0)
    return `${device.path} is mounted at ${device.mountpoints.join(', ')}; unmount it first (umount or eject)`;
  if (device.size < imageSize) return `${device.path} has ${device.size} bytes, the image needs ${imageSize}`;
  return undefined;
}

export interface FlashTarget {
  path: string;
  kind: 'device' | 'file';
  size: number | undefined;
  description: string;
}

// Refuses a target fyr must not write: mounted, holding the running system, too small.
export async function checkTarget(path: string, imageSize: number): Promise<FlashTarget> {
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info || info.isFile()) {
    checkOutputDir(path);
    return { path, kind: 'file', size: undefined, description: `file ${path}` };
  }
  if (!info.isBlockDevice())
    throw new FyrError('FLASH_REFUSED', `${path} is neither a block device nor a regular file`);
  const device = await deviceInfo(path);
  if (!device)
    throw new FyrError(
      'FLASH_REFUSED',
      `${path} is a partition or not a whole disk; give the disk itself (fyr flash lists them)`,
    );
  const refused = refusal(device, imageSize);
  if (refused) throw new FyrError('FLASH_REFUSED', refused);
  return {
    path,
    kind: 'device',
    size: device.size,
    description: `${path} (${(device.size / 1e9).toFixed(1)} GB${device.model ? ` ${device.model}` : ''}${device.transport ? `, ${device.transport}` : ''})`,
  };
}

export interface FlashOptions extends LongWork<ProgressEvent<'write' | 'verify'>> {
  image: string;
  target: FlashTarget;
  // Bytes written in place of the image's (a site spliced into a release on the way).
  patches?: readonly Patch[];
}

export interface FlashResult {
  bytes: number;
  sha256: string;
  readBack: string;
  ok: boolean;
}

const CHUNK = 4 << 20;

export async function flashImage(o: FlashOptions): Promise<FlashResult> {
  if (o.target.kind === 'device') return flashTo(o, o.target.path);
  const temp = tempSibling(o.target.path);
  try {
    const result = await flashTo(o, temp);
    if (result.ok) await rename(temp, o.target.path);
    return result;
  } finally {
    await rm(temp, { force: true });
  }
}

// Writes the image to `path` (the device, or a file's temporary name) and reads it back.
async function flashTo(o: FlashOptions, path: string): Promise<FlashResult> {
  const src = await open(o.image, 'r');
  const total = fstatSync(src.fd).size;
  // O_EXCL on a block device fails if anything holds it open (a mount the check missed).
  const flags =
    o.target.kind === 'device'
      ? constants.O_WRONLY | constants.O_EXCL
      : constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
  let dst;
  try {
    dst = await open(path, flags, 0o644);
  } catch (err) {
    await src.close();
    const code = (err as NodeJS.ErrnoException).code;
    throw new FyrError(
      'FLASH_REFUSED',
      `cannot open ${o.target.path} for writing: ${code === 'EBUSY' ? 'it is in use (mounted or open)' : (code ?? (err as Error).message)}`,
      { cause: err },
    );
  }
  const written = createHash('sha256');
  // Large writes at 4 MiB-aligned offsets: USB sticks are slow with small or unaligned ones.
  const buf = Buffer.alloc(CHUNK);
  try {
    for (let at = 0; at < total;) {
      if (o.signal?.aborted)
        throw new FyrError(
          'INTERRUPTED',
          o.target.kind === 'device'
            ? `stopped after ${at} of ${total} bytes; ${o.target.path} is incomplete and will not boot`
            : `stopped after ${at} of ${total} bytes; nothing was written to ${o.target.path}`,
        );
      const { bytesRead } = await src.read(buf, 0, Math.min(CHUNK, total - at), at);
      if (bytesRead === 0) throw new FyrError('RELEASE_INVALID', `${o.image} ended at ${at} bytes while being written`);
      const chunk = buf.subarray(0, bytesRead);
      if (o.patches) overlay(chunk, at, o.patches);
      written.update(chunk);
      for (let done = 0; done < bytesRead;)
        done += (await dst.write(chunk, done, bytesRead - done, at + done)).bytesWritten;
      at += bytesRead;
      o.onProgress?.({ phase: 'write', done: at, total });
    }
    await dst.sync();
  } catch (err) {
    throw isFyrError(err) ? err : writeError(err, o.target.path, o.target.kind === 'file' ? total : undefined);
  } finally {
    await dst.close();
    await src.close();
  }
  // Read back from the device, not from the page cache.
  if (o.target.kind === 'device') await runTool('blockdev', ['--flushbufs', o.target.path]);
  const back = createHash('sha256');
  const check = await open(path, 'r');
  try {
    for (let at = 0; at < total;) {
      throwIfAborted(o.signal, `${o.target.path} was read back`);
      const { bytesRead } = await check.read(buf, 0, Math.min(CHUNK, total - at), at);
      if (bytesRead === 0) break;
      back.update(buf.subarray(0, bytesRead));
      at += bytesRead;
      o.onProgress?.({ phase: 'verify', done: at, total });
    }
  } finally {
    await check.close();
  }
  const sha256 = written.digest('hex');
  const readBack = back.digest('hex');
  return { bytes: total, sha256, readBack, ok: sha256 === readBack };
}
