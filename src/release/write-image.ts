// Runs xorriso to add its session to the image, turning its packet output into progress and its
// complaints into the error's details (a full disk is NO_SPACE).
import { FyrError } from '../errors.js';
import { throwIfAborted, type LongWork, type ProgressEvent } from '../util/progress.js';
import { startTool } from '../util/tools.js';
import { noSpace } from '../util/write-error.js';
import { isProblemLine, parseProgress } from './xorriso.js';

// xorriso reports percent: done counts to 100.
export interface WriteOptions extends LongWork<ProgressEvent<'layout'>> {
  env: Record<string, string>;
}

export async function writeImage(args: readonly string[], target: string, options: WriteOptions): Promise<void> {
  const tool = startTool('xorriso', args, { env: options.env, signal: options.signal });
  const problems: string[] = [];
  const reading = (async () => {
    for await (const line of tool.lines) {
      const progress = parseProgress(line);
      if (progress) options.onProgress?.({ phase: 'layout', done: progress.percent, total: 100 });
      else if (isProblemLine(line)) problems.push(line.replace(/^[IRM]:\d: /, ''));
    }
  })();
  const [written] = await Promise.allSettled([tool.done, reading]);
  if (written.status === 'rejected') {
    const err = written.reason as FyrError;
    if (
      problems.some((p) => /No space left on device|Disk quota exceeded|ENOSPC|exceeds free space on media/i.test(p))
    ) {
      throw noSpace(target, err);
    }
    throwIfAborted(options.signal, 'the image was complete');
    throw new FyrError(err.code, err.message, {
      details: problems.length > 0 ? problems.slice(-6) : err.detailLines,
      cause: err,
    });
  }
}
