// A typed client for the parts of osbuild-composer's Weldr API (v1) that fyr uses, over an
// injected transport. Composer answering with errors (their ids and messages) and composer not
// being reachable (transport.ts) are kept apart.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FyrError } from '../errors.js';
import { tempSibling } from '../util/fs.js';
import { isSpaceError, noSpace } from '../util/write-error.js';
import type { LongWork, ProgressEvent } from '../util/progress.js';
import { unpackTar } from '../util/tar.js';
import type { Transport, WeldrRequest, WeldrResponse } from './transport.js';

export type ComposeState = 'WAITING' | 'RUNNING' | 'FINISHED' | 'FAILED';

export interface ComposeEntry {
  id: string;
  blueprint: string;
  version: string;
  compose_type: string;
  image_size?: number;
  queue_status: ComposeState;
  job_created?: number;
  job_started?: number;
  job_finished?: number;
}

export interface ApiError {
  id: string;
  msg: string;
  code?: number;
}

export interface StatusInfo {
  api: string;
  build: string;
  backend: string;
}

async function readAll(res: WeldrResponse, limit = 16 << 20): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new FyrError('COMPOSER_ERROR', `composer's answer is larger than ${limit} bytes`);
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts);
}

const describeErrors = (errors: readonly ApiError[]) => errors.map((e) => `${e.id}: ${e.msg}`).join('; ');

export class WeldrClient {
  constructor(readonly transport: Transport) {}

  // Sends a request and returns the parsed JSON body, or throws composer's errors.
  private async json<T>(what: string, req: WeldrRequest, signal?: AbortSignal): Promise<T> {
    const res = await this.transport.request(req, signal);
    const raw = await readAll(res);
    this.refuse(what, res.status, raw);
    try {
      return JSON.parse(raw.toString('utf8')) as T;
    } catch {
      throw new FyrError(
        'COMPOSER_ERROR',
        `${what}: composer at ${this.transport.where} did not answer JSON (HTTP ${res.status})`,
      );
    }
  }

  private refuse(what: string, status: number, raw: Buffer): void {
    if (status >= 200 && status < 300) return;
    let errors: ApiError[] = [];
    try {
      errors = (JSON.parse(raw.toString('utf8')) as { errors?: ApiError[] }).errors ?? [];
    } catch {
      // 405 and 501 have empty bodies.
    }
    if (status === 401 || status === 403) {
      throw new FyrError(
        'COMPOSER_AUTH',
        `${what}: the composer proxy at ${this.transport.where} refused (HTTP ${status})${errors.length ? `: ${describeErrors(errors)}` : ''}`,
        {
          details: [
            status === 401
              ? 'Give a token: FYR_COMPOSER_TOKEN or --token-file.'
              : 'This token may not do that; ask for a build token.',
          ],
        },
      );
    }
    throw new FyrError(
      'COMPOSER_ERROR',
      `${what}: composer refused (HTTP ${status})${errors.length ? `: ${describeErrors(errors)}` : ''}`,
    );
  }

  status(signal?: AbortSignal): Promise<StatusInfo> {
    return this.json('status', { method: 'GET', path: '/api/status' }, signal);
  }

  // Exact content type: composer compares the header as a string.
  async pushBlueprint(toml: string, signal?: AbortSignal): Promise<void> {
    await this.json(
      'pushing the blueprint',
      {
        method: 'POST',
        path: '/api/v1/blueprints/new',
        headers: { 'content-type': 'text/x-toml' },
        body: Buffer.from(toml),
      },
      signal,
    );
  }

  async depsolve(name: string, signal?: AbortSignal): Promise<number> {
    const reply = await this.json<{ blueprints: Array<{ dependencies: unknown[] }>; errors: ApiError[] }>(
      'depsolving the blueprint',
      { method: 'GET', path: `/api/v1/blueprints/depsolve/${encodeURIComponent(name)}` },
      signal,
    );
    if (reply.errors?.length)
      throw new FyrError('COMPOSER_ERROR', `depsolving ${name}: ${describeErrors(reply.errors)}`);
    return reply.blueprints?.[0]?.dependencies.length ?? 0;
  }

  async composeTypes(signal?: AbortSignal): Promise<string[]> {
    const reply = await this.json<{ types: Array<{ name: string; enabled: boolean }> }>(
      'listing compose types',
      { method: 'GET', path: '/api/v1/compose/types' },
      signal,
    );
    return reply.types.filter((t) => t.enabled).map((t) => t.name);
  }

  async startCompose(
    blueprint: string,
    type: string,
    signal?: AbortSignal,
  ): Promise<{ id: string; warnings: string[] }> {
    const body = Buffer.from(JSON.stringify({ blueprint_name: blueprint, compose_type: type, branch: 'master' }));
    const reply = await this.json<{ build_id: string; warnings: string[] | null }>(
      'starting the compose',
      { method: 'POST', path: '/api/v1/compose', headers: { 'content-type': 'application/json' }, body },
      signal,
    );
    return { id: reply.build_id, warnings: reply.warnings ?? [] };
  }

  async composeStatus(id: string, signal?: AbortSignal): Promise<ComposeEntry | undefined> {
    const reply = await this.json<{ uuids: ComposeEntry[] }>(
      'compose status',
      { method: 'GET', path: `/api/v1/compose/status/${id}` },
      signal,
    );
    return reply.uuids.find((u) => u.id === id);
  }

  async cancel(id: string): Promise<void> {
    await this.json('cancelling the compose', { method: 'DELETE', path: `/api/v1/compose/cancel/${id}` });
  }

  // The compose's logs (a tar holding logs/osbuild.log) or metadata (a tar holding the osbuild
  // manifest, <id>.json), as text files.
  async archive(id: string, kind: 'logs' | 'metadata'): Promise<Map<string, string>> {
    const res = await this.transport.request({ method: 'GET', path: `/api/v1/compose/${kind}/${id}` });
    const raw = await readAll(res, 256 << 20);
    this.refuse(`fetching the compose ${kind}`, res.status, raw);
    return new Map((await unpackTar(raw)).map((f) => [f.path, f.content.toString('utf8')]));
  }

  // Streams the image to `output` (a temporary name, renamed when complete and checked against
  // Content-Length), with its sha256. An interrupted download leaves nothing.
  async downloadImage(
    id: string,
    output: string,
    { onProgress, signal }: LongWork<ProgressEvent<'download'>> = {},
  ): Promise<{ bytes: number; sha256: string; filename: string | undefined }> {
    const res = await this.transport.request({ method: 'GET', path: `/api/v1/compose/image/${id}` }, signal);
    if (res.status !== 200) this.refuse('downloading the image', res.status, await readAll(res));
    const total = res.headers['content-length'] === undefined ? undefined : Number(res.headers['content-length']);
    const filename = /filename=("?)([^";]+)\1/.exec(String(res.headers['content-disposition'] ?? ''))?.[2];
    const temp = tempSibling(output);
    const hash = createHash('sha256');
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        hash.update(chunk);
        onProgress?.({ phase: 'download', done: bytes, ...(total === undefined ? {} : { total }) });
        done(null, chunk);
      },
    });
    try {
      await pipeline(res.body, counter, createWriteStream(temp, { flags: 'wx' }), ...(signal ? [{ signal }] : []));
      // A dropped connection can end the body early without an error.
      if (total !== undefined && bytes !== total) throw new Error(`connection closed after ${bytes} of ${total} bytes`);
      await rename(temp, output);
      return { bytes, sha256: hash.digest('hex'), filename };
    } catch (err) {
      if (signal?.aborted)
        throw new FyrError('INTERRUPTED', `stopped while downloading the image of ${id}`, { cause: err });
      if (isSpaceError(err)) throw noSpace(output, err, total);
      throw new FyrError(
        'COMPOSER_ERROR',
        `downloading the image of ${id} from ${this.transport.where} failed: ${(err as Error).message}`,
        { details: ['Nothing was kept; run the command again to retry the download.'], cause: err },
      );
    } finally {
      await rm(temp, { force: true });
    }
  }
}
