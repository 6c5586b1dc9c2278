// A content-addressed download cache: CACHE/sha256/<hex> holds only files whose bytes were
// checked against <hex> while they streamed in; CACHE/partial/<hex> holds an interrupted
// download, resumed with an HTTP Range request. A dropped connection, a body cut short or a
// 5xx is retried with backoff; a 404 is not; a file whose sum is not the expected one is
// deleted and reported with its URL and both sums.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { FyrError } from '../errors.js';
import { throwIfAborted, type LongWork, type ProgressEvent } from '../util/progress.js';
import { writeError } from '../util/write-error.js';

export interface Artifact {
  url: string;
  sha256: string;
}

export interface DownloadOptions extends LongWork<ProgressEvent<'download'>> {
  attempts?: number;
  backoffMs?: number;
}

export const cachedPath = (cache: string, sha256: string) => join(cache, 'sha256', sha256);

// Retryable: the server or the path between may do better next time.
class TransientError extends Error {}

function request(url: string, from: number, signal: AbortSignal | undefined): Promise<IncomingMessage> {
  const get = url.startsWith('https:') ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    const req = get(url, { headers: from > 0 ? { range: `bytes=${from}-` } : {}, signal, timeout: 60_000 }, resolve);
    req.on('timeout', () => req.destroy(new TransientError('no answer in 60 s')));
    req.on('error', (err) =>
      reject(err instanceof TransientError || signal?.aborted ? err : new TransientError(err.message)),
    );
  });
}

async function hashFile(path: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
}

// One attempt: resumes `partial` if the server honours the range. Resolves when the whole
// body is in `partial`, with its sha256.
async function attempt(a: Artifact, partial: string, o: DownloadOptions): Promise<string> {
  const have = (await stat(partial).catch(() => undefined))?.size ?? 0;
  const hash = createHash('sha256');
  const res = await request(a.url, have, o.signal);
  let from = 0;
  if (res.statusCode === 206 && have > 0) {
    await hashFile(partial, hash);
    from = have;
  } else if (res.statusCode === 416 && have > 0) {
    // The partial is as long as the file or longer: start again.
    res.resume();
    await rm(partial, { force: true });
    throw new TransientError('the server refused the resume range; starting again');
  } else if (res.statusCode !== 200) {
    res.resume();
    const why = `HTTP ${res.statusCode} ${res.statusMessage ?? ''}`.trim();
    if (res.statusCode !== undefined && res.statusCode >= 500) throw new TransientError(why);
    throw new FyrError('DOWNLOAD_FAILED', `${a.url}: ${why}`);
  }
  const length = Number(res.headers['content-length'] ?? NaN);
  const total = Number.isFinite(length) ? from + length : undefined;
  const out = createWriteStream(partial, { flags: from > 0 ? 'a' : 'w' });
  let done = from;
  await new Promise<void>((resolve, reject) => {
    res.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      done += chunk.length;
      o.onProgress?.({ phase: 'download', done, ...(total ? { total } : {}) });
    });
    res.on('aborted', () => reject(new TransientError(`the connection closed after ${done} bytes`)));
    res.on('error', (err) => reject(new TransientError(err.message)));
    out.on('error', reject);
    out.on('finish', resolve);
    res.pipe(out);
  }).catch(async (err: unknown) => {
    out.destroy();
    throw err;
  });
  if (total !== undefined && done !== total) throw new TransientError(`the body ended after ${done} of ${total} bytes`);
  return hash.digest('hex');
}

// The artifact's path in the cache, downloaded unless it is there already.
export async function download(
  cache: string,
  a: Artifact,
  o: DownloadOptions = {},
): Promise<{ path: string; downloaded: boolean }> {
  const path = cachedPath(cache, a.sha256);
  if (await stat(path).catch(() => undefined)) return { path, downloaded: false };
  const partial = join(cache, 'partial', a.sha256);
  await mkdir(join(cache, 'sha256'), { recursive: true });
  await mkdir(join(cache, 'partial'), { recursive: true });
  const attempts = o.attempts ?? 5;
  for (let n = 1; ; n++) {
    throwIfAborted(o.signal, `${a.url} was downloaded`);
    try {
      const actual = await attempt(a, partial, o);
      if (actual !== a.sha256) {
        await rm(partial, { force: true });
        throw new FyrError('DOWNLOAD_CORRUPT', `${a.url}: the download's sha256 is not the stream's`, {
          details: [`expected sha256 ${a.sha256}`, `actual   sha256 ${actual}`, 'The file was deleted from the cache.'],
        });
      }
      await rename(partial, path);
      return { path, downloaded: true };
    } catch (err) {
      if (o.signal?.aborted)
        throw new FyrError('INTERRUPTED', `stopped while downloading ${a.url}; run again to resume`);
      if (err instanceof FyrError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EDQUOT') throw writeError(err, partial);
      if (!(err instanceof TransientError) || n >= attempts)
        throw new FyrError('DOWNLOAD_FAILED', `${a.url}: ${(err as Error).message} (after ${n} attempt(s))`, {
          details: ['What was downloaded is kept; run again to resume.'],
        });
      await new Promise((resolve) => setTimeout(resolve, (o.backoffMs ?? 1000) * 2 ** (n - 1)));
    }
  }
}
