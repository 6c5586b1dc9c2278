// Runs xorriso writing the image straight to its file, front to back, while a worker thread
// computes the media-check MD5 just behind it (reading from the page cache, a resumable
// checkpoint every 4 MiB). Hashing runs on the second core, overlapping the write; the image
// never passes through fyr's own thread and is never read back from disk.
import { statSync } from 'node:fs';
import { FyrError } from '../errors.js';
import { startTool } from './exec.js';
import { followHash, type FollowResult } from './follow-hash.js';
import { isProblemLine, parseProgress } from './xorriso.js';

export interface WriteOptions {
  signal?: AbortSignal;
  env: Record<string, string>;
  onPercent?: (percent: number) => void;
}

// `args` must make xorriso write `target` (stdio:<target>), which must not exist yet.
export async function writeImage(args: readonly string[], target: string, options: WriteOptions): Promise<FollowResult> {
  const hash = followHash(target);
  try {
    // The MD5 behind xorriso is the longer chain: on two cores xorriso yields to it.
    const tool = startTool('xorriso', args, { env: options.env, nice: 10, ...(options.signal ? { cancelSignal: options.signal } : {}) });
    const problems: string[] = [];
    const reading = (async () => {
      for await (const line of tool.lines) {
        const progress = parseProgress(line);
        if (progress) options.onPercent?.(progress.percent);
        else if (isProblemLine(line)) problems.push(line.replace(/^[IRM]:\d: /, ''));
      }
    })();
    const [written] = await Promise.allSettled([tool.done, reading]);
    if (written.status === 'rejected') {
      const err = written.reason as FyrError;
      if (problems.some((p) => /No space left on device|Disk quota exceeded|ENOSPC|exceeds free space on media/i.test(p))) {
        throw new FyrError('NO_SPACE', `no space left writing ${target}`, { cause: err });
      }
      if (options.signal?.aborted) throw new FyrError('INTERRUPTED', 'stopped before the image was complete', { cause: err });
      throw new FyrError(err.code, err.message, { details: problems.length > 0 ? problems.slice(-6) : err.details, cause: err });
    }
    hash.end(statSync(target).size);
    return await hash.result;
  } finally {
    await hash.stop();
  }
}
