// fyr compose: the rendered blueprint → an installer ISO from osbuild-composer. The blueprint is
// pushed under a name carrying its content hash, so a finished compose of the same content is
// found again through a small local index and reused instead of rebuilt.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FyrError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { LongWork, ProgressEvent } from '../util/progress.js';
import { checkBlueprint } from './blueprint-rules.js';
import { parseBlueprintToml } from './blueprint-toml.js';
import type { ComposeEntry, WeldrClient } from './weldr.js';

export interface ComposeOptions extends LongWork<ComposeEvent> {
  client: WeldrClient;
  // The rendered blueprint (site-invariant) and its sha256.
  blueprint: { name: string; content: string; sha256: string };
  type: string;
  output: string;
  cacheDir: string;
  noCache?: boolean;
  // Leave the compose running on Ctrl-C instead of cancelling it.
  detach?: boolean;
  pollMs?: number;
}

// Notes and composer's warnings are steps; state is the compose's queue status as it is polled;
// download counts the image's bytes (total unknown without Content-Length).
export type ComposeEvent =
  | (ProgressEvent<'note' | 'warning'> & { message: string })
  | (ProgressEvent<'state'> & { id: string; state: ComposeEntry['queue_status']; seconds: number })
  | ProgressEvent<'download'>;

export interface ComposeResult {
  output: string;
  id: string;
  blueprint: string;
  reused: boolean;
  bytes: number;
  sha256: string;
}

interface CacheIndex {
  format: 'fyr-compose-cache/1';
  // key: composer + blueprint sha256 + image type
  composes: Record<string, { id: string; blueprint: string; created: string }>;
}

// Composer drops what image-installer does not support without a word, so a blueprint (from
// fyr's templates, which a user may edit) that breaks its rules stops here, before any push.
function checkRules(content: string): void {
  const issues = checkBlueprint(parseBlueprintToml(content));
  if (issues.length === 0) return;
  throw new FyrError(
    'RENDER_TEMPLATE',
    `the rendered blueprint breaks composer's image-installer rules (blueprints/ changed?)`,
    { details: issues.map((i) => `${i.path}: ${i.message}`) },
  );
}

// The blueprint under a name that carries its content: fyr-bastion-rhel9-<12 hex digits>.
export function hashedBlueprint(content: string, name: string, sha256: string): { name: string; content: string } {
  const hashed = `${name}-${sha256.slice(0, 12)}`;
  const replaced = content.replace(/^name = "[^"\n]*"$/m, `name = "${hashed}"`);
  if (replaced === content) throw new FyrError('INTERNAL', 'the rendered blueprint has no top-level name line');
  return { name: hashed, content: replaced };
}

async function readIndex(file: string): Promise<CacheIndex> {
  try {
    const index = JSON.parse(await readFile(file, 'utf8')) as CacheIndex;
    if (index.format === 'fyr-compose-cache/1' && typeof index.composes === 'object') return index;
  } catch {
    // Missing or unreadable: start a new one.
  }
  return { format: 'fyr-compose-cache/1', composes: {} };
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

export async function composeImage(o: ComposeOptions): Promise<ComposeResult> {
  const { client, signal } = o;
  const emit = o.onProgress ?? (() => {});
  const status = await client.status(signal);
  emit({ phase: 'note', message: `osbuild-composer ${status.build} at ${client.transport.where}` });
  const types = await client.composeTypes(signal);
  if (!types.includes(o.type))
    throw new FyrError('COMPOSER_ERROR', `composer at ${client.transport.where} does not offer image type ${o.type}`, {
      details: [`It offers: ${types.join(', ') || 'none'}.`],
    });
  const bp = hashedBlueprint(o.blueprint.content, o.blueprint.name, o.blueprint.sha256);
  checkRules(bp.content);
  const indexFile = join(o.cacheDir, 'composes.json');
  const key = `${client.transport.where} ${o.blueprint.sha256} ${o.type}`;
  await mkdir(o.cacheDir, { recursive: true });
  const index = await readIndex(indexFile);
  let id: string | undefined;
  let reused = false;
  const cached = o.noCache ? undefined : index.composes[key];
  if (cached) {
    const entry = await client.composeStatus(cached.id, signal).catch(() => undefined);
    if (entry && entry.queue_status !== 'FAILED') {
      ({ id } = cached);
      reused = true;
      emit({ phase: 'note', message: `reusing compose ${id} of ${bp.name} (${entry.queue_status})` });
    }
  }
  if (!id) {
    await client.pushBlueprint(bp.content, signal);
    const packages = await client.depsolve(bp.name, signal);
    emit({ phase: 'note', message: `pushed ${bp.name}; ${packages} packages resolve` });
    const started = await client.startCompose(bp.name, o.type, signal);
    for (const w of started.warnings) emit({ phase: 'warning', message: w });
    id = started.id;
    index.composes[key] = { id, blueprint: bp.name, created: new Date().toISOString() };
    await writeFileAtomic(indexFile, `${JSON.stringify(index, null, 2)}\n`);
  }
  const begun = Date.now();
  for (;;) {
    const entry = await client.composeStatus(id, signal).catch((err: unknown) => {
      if (signal?.aborted) return undefined;
      throw err;
    });
    if (signal?.aborted) return stop(client, id, o.detach === true);
    if (!entry) throw new FyrError('COMPOSER_ERROR', `composer no longer knows compose ${id}`);
    emit({ phase: 'state', id, state: entry.queue_status, seconds: (Date.now() - begun) / 1000 });
    if (entry.queue_status === 'FINISHED') break;
    if (entry.queue_status === 'FAILED') {
      delete index.composes[key];
      await writeFileAtomic(indexFile, `${JSON.stringify(index, null, 2)}\n`);
      throw await failure(client, id);
    }
    await sleep(o.pollMs ?? 5000, signal);
    if (signal?.aborted) return stop(client, id, o.detach === true);
  }
  const got = await client.downloadImage(id, o.output, { onProgress: emit, signal });
  return { output: o.output, id, blueprint: bp.name, reused, bytes: got.bytes, sha256: got.sha256 };
}

async function stop(client: WeldrClient, id: string, detach: boolean): Promise<never> {
  if (detach)
    throw new FyrError('INTERRUPTED', `stopped waiting; compose ${id} goes on at ${client.transport.where}`, {
      details: ['Run the same fyr compose again to pick it up.'],
    });
  await client.cancel(id).catch(() => undefined);
  throw new FyrError('INTERRUPTED', `stopped; compose ${id} was cancelled on composer`);
}

// The end of the osbuild log, and which osbuild manifest ran (from the metadata tar).
async function failure(client: WeldrClient, id: string): Promise<FyrError> {
  let tail: string[] = [];
  try {
    const logs = await client.archive(id, 'logs');
    const log = logs.get('logs/osbuild.log') ?? [...logs.values()][0] ?? '';
    tail = log
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(-12);
  } catch (err) {
    tail = [`(the logs could not be fetched: ${(err as Error).message})`];
  }
  const manifest = await client.archive(id, 'metadata').then(
    (files) => [...files.entries()].map(([name, text]) => `${name} (${text.length} bytes)`).join(', '),
    () => 'not available',
  );
  return new FyrError('COMPOSE_FAILED', `compose ${id} failed on composer's side; the end of its osbuild log:`, {
    details: [...tail, `osbuild manifest: ${manifest} (composer-cli compose metadata ${id})`],
  });
}
