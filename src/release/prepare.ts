// What fyr release does before the image is laid out, on the base's side: the base inspected
// (xorriso) and its boot menus and ESP edited (mtools), with a full TMPDIR reported as such.
import { dirname } from 'node:path';
import { FyrError } from '../errors.js';
import { isSpaceError, room } from '../util/write-error.js';
import { epochOf, inspectBase, type Base, type BaseReader, type checkBase } from './base.js';
import { safeVolumeId } from './boot-menu.js';
import { stageBootFiles, type BootFiles } from './boot-files.js';

export interface BootOptions {
  base: string;
  epoch?: number;
  volumeId?: string;
  bootTimeoutSeconds: number;
}

export async function prepareBoot(
  o: BootOptions,
  opened: ReturnType<typeof checkBase>,
  reader: BaseReader,
  staging: string,
): Promise<{ base: Base; epoch: number; volumeId: string; boot: BootFiles }> {
  const base = await inspectBase(o.base, opened);
  const epoch = o.epoch ?? epochOf(base.volume);
  const volumeId = o.volumeId ?? safeVolumeId(base.volumeId);
  const boot = await staged(staging, base, () =>
    stageBootFiles(base, reader, staging, volumeId, o.bootTimeoutSeconds, epoch),
  );
  return { base, epoch, volumeId, boot };
}

// Boot menus, the ESP image and the embed areas are staged under TMPDIR before the image is
// laid out; a full TMPDIR is NO_SPACE naming it, whichever writer (fyr, mtools) hit it.
export async function staged<T>(staging: string, base: Base, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!isSpaceError(err)) throw err;
    const esp = base.layout.kind === 'el9' ? 16 << 20 : base.layout.esp.length;
    throw new FyrError(
      'NO_SPACE',
      `no space left staging the boot files in ${staging}${room(dirname(staging), esp + (1 << 20))}`,
      { details: ['Free space there, or set TMPDIR to a directory with room.'], cause: err },
    );
  }
}
