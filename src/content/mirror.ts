// The release images, mirrored with oc-mirror v2 mirror-to-mirror into a CNCF distribution
// registry fyr runs on loopback with its storage root in the content directory: that tree is
// what the stick carries and the site serves read-only. Whole runs are retried (oc-mirror
// fails a run on one dropped connection); its exit code is a bitmask (2 release, 4 operators,
// 8 additional images). The IDMS/ITMS it writes (several documents each, merged here) are kept with the
// loopback address replaced by a placeholder, and the IDMS becomes the mirrors install-config
// names. oc-mirror checks the release signature itself: fyr hands it the one it verified.
import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { FyrError } from '../errors.js';
import { registryConfig } from '../registry/config.js';
import { listTree } from '../registry/tree.js';
import { writeError } from '../util/write-error.js';
import { yamlDocuments } from '../site/source.js';
import { ProcessError, start } from '../util/exec.js';
import { startTool, toolError } from '../util/tools.js';
import { ocMirror, registry as registryArgv } from './tools.js';

// Stands for the bastion's registry (host:port) in the kept IDMS/ITMS.
export const REGISTRY_PLACEHOLDER = '@@FYR:registry@@';

export interface LocalRegistry {
  host: string;
  stop(): Promise<void>;
}

// A port free on loopback now (bound, read, released).
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Debian and the upstream binary name it docker-registry; the registry image and RHEL's
// package, registry.
export const registryProgram = () =>
  ['/usr/bin/docker-registry', '/usr/bin/registry', '/usr/local/bin/registry'].find((p) => existsSync(p)) ??
  'docker-registry';

export async function startRegistry(root: string, configFile: string): Promise<LocalRegistry> {
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  await mkdir(root, { recursive: true });
  await writeFile(configFile, registryConfig({ root, addr: host, readonly: false }));
  const stop = new AbortController();
  const running = start(registryProgram(), registryArgv.serve(configFile), { signal: stop.signal });
  // Its log is read (a pipe nobody reads would stall it) and kept for an error.
  const tail: string[] = [];
  void (async () => {
    for await (const line of running.lines) {
      tail.push(line);
      if (tail.length > 20) tail.shift();
    }
  })().catch(() => undefined);
  let ended: unknown;
  running.done.catch((err: unknown) => (ended = err));
  for (let i = 0; ; i++) {
    const ok = await fetch(`http://${host}/v2/`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (ended || i > 200) {
      stop.abort();
      const err = toolError(ended ?? new Error('no answer'));
      if (err instanceof FyrError && err.code === 'TOOL_MISSING') throw err;
      throw new FyrError('MIRROR_FAILED', `the local registry did not start on ${host}`, { details: tail.slice(-5) });
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    host,
    stop: async () => {
      stop.abort();
      await running.done.catch(() => undefined);
    },
  };
}

// The ImageSetConfiguration (image-set.ts).
export { imageSetConfig } from './image-set.js';

// oc-mirror's exit code in words (internal/pkg/errcode: 1 generic, 2 release, 4 operator,
// 8 additional images, 16 helm).
export function mirrorFailure(code: number): string {
  const parts = [
    [2, 'release images'],
    [4, 'operator images'],
    [8, 'additional images'],
    [16, 'helm charts'],
  ]
    .filter(([bit]) => code & (bit as number))
    .map(([, what]) => what as string);
  return parts.length > 0 ? `some ${parts.join(' and ')} could not be mirrored` : 'oc-mirror failed';
}

export interface MirrorOptions {
  config: string;
  workspace: string;
  cacheDir: string;
  authfile: string;
  registry: string;
  // The armored key oc-mirror checks the release signature with; none: fyr skipped the check,
  // and so does oc-mirror (--ignore-release-signature).
  releaseKey: string | undefined;
  // An upgrade path's releases besides the one fyr handed over: oc-mirror fetches their
  // signatures from this store (OCP_SIGNATURE_URL, oc-mirror 4.20 and later) and checks them
  // with releaseKey; fyr verifies each again itself.
  signatureUrl?: string | undefined;
  attempts: number;
  retryDelayMs: number;
  onAttempt?: (n: number, why: string) => void;
  // Images mirrored so far, of how many, as oc-mirror reports them.
  onImages?: (done: number, total: number) => void;
  signal?: AbortSignal | undefined;
}

// oc-mirror's per-image lines: " ✓   12 / 190 (3s) quay.io/...".
const IMAGE_LINE = /(?:✓|✗)\s+(\d+) \/ (\d+) /;

export async function runMirror(o: MirrorOptions): Promise<void> {
  for (let n = 1; ; n++) {
    try {
      const running = startTool(
        'oc-mirror',
        ocMirror.mirror({
          config: o.config,
          workspace: o.workspace,
          registry: o.registry,
          authfile: o.authfile,
          cacheDir: o.cacheDir,
          ignoreReleaseSignature: o.releaseKey === undefined,
        }),
        {
          signal: o.signal,
          timeoutMs: 12 * 3600_000,
          // oc-mirror refuses OC_MIRROR_CACHE beside --cache-dir (internal/pkg/cli/executor.go);
          // fyr's cache is --cache.
          unsetEnv: ['OC_MIRROR_CACHE'],
          ...(o.releaseKey
            ? {
                env: {
                  OCP_SIGNATURE_VERIFICATION_PK: o.releaseKey,
                  ...(o.signatureUrl ? { OCP_SIGNATURE_URL: `${o.signatureUrl.replace(/\/+$/, '')}/` } : {}),
                },
              }
            : {}),
        },
      );
      for await (const line of running.lines) {
        const m = IMAGE_LINE.exec(line);
        if (m) o.onImages?.(Number(m[1]), Number(m[2]));
      }
      await running.done;
      return;
    } catch (err) {
      const cause = err instanceof FyrError ? err.cause : undefined;
      const code = cause instanceof ProcessError ? cause.how.exitCode : undefined;
      if (code === undefined) throw err;
      // A flag it lacks fails every run alike (oc-mirror 4.17 knows no --ignore-release-signature).
      const unknown = (cause as ProcessError).tail.find((l) => l.includes('unknown flag:'));
      if (unknown)
        throw new FyrError('MIRROR_FAILED', `this oc-mirror is too old for fyr: ${unknown.replace(/^Error: /, '')}`, {
          details: ['Install oc-mirror of the release being mirrored, from mirror.openshift.com.'],
          cause: err,
        });
      const why = mirrorFailure(code);
      if (n >= o.attempts)
        throw new FyrError('MIRROR_FAILED', `oc-mirror: ${why} (exit code ${code}, ${n} run(s))`, {
          details: [...(err as FyrError).detailLines].slice(-6),
          cause: err,
        });
      o.onAttempt?.(n, why);
      await new Promise((resolve) => setTimeout(resolve, o.retryDelayMs));
    }
  }
}

// oc-mirror's tag for a release in openshift/release-images: what follows the first ':' of
// the last path component of the release's source (internal/pkg/release/local_stored_collector.go),
// the signed identity when it checked the signature (…:4.18.9-x86_64 gives 4.18.9-x86_64), else
// the pinned pull spec (…@sha256:HEX gives the bare HEX).
export function mirroredReleaseTag(source: string): string {
  const last = source.slice(source.lastIndexOf('/') + 1);
  return last.slice(last.indexOf(':') + 1);
}

// The verified signature where oc-mirror looks first, its workspace's working-dir/signatures/
// (a file whose name holds the digest; named as oc-mirror names its own, TAG-sha256-HEX), and
// the key beside it; returns the key's path. Another file for the digest would be read first.
export async function handOverSignature(
  workspace: string,
  digest: string,
  signature: { bytes: Buffer; identity: string; armoredKey: string },
): Promise<string> {
  const hex = digest.slice('sha256:'.length);
  const dir = join(workspace, 'working-dir/signatures');
  await mkdir(dir, { recursive: true });
  for (const name of await readdir(dir)) if (name.includes(hex)) await rm(join(dir, name), { force: true });
  await writeFile(join(dir, `${mirroredReleaseTag(signature.identity)}-sha256-${hex}`), signature.bytes);
  const key = join(workspace, 'release-key.asc');
  await writeFile(key, signature.armoredKey);
  return key;
}

type MirrorSetKind = 'ImageDigestMirrorSet' | 'ImageTagMirrorSet';
export interface MirrorSource {
  source: string;
  mirrors: string[];
}

// Every document of an IDMS/ITMS file oc-mirror wrote (one per category, idms-release-0,
// idms-generic-0…, in Go's map order, which is none: internal/pkg/clusterresources), merged
// by source, sorted, mirrors relative to the loopback registry; and fyr's one document for the
// content directory, the same every run, with the placeholder for the registry.
export async function readMirrorSets(
  file: string,
  kind: MirrorSetKind,
  loopback: string,
): Promise<{ sources: MirrorSource[]; text: string }> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new FyrError('MIRROR_FAILED', `oc-mirror wrote no ${file}`);
  });
  const docs = yamlDocuments(text);
  if (!docs) throw new FyrError('MIRROR_FAILED', `${file} is not YAML`);
  const field = kind === 'ImageDigestMirrorSet' ? 'imageDigestMirrors' : 'imageTagMirrors';
  const merged = new Map<string, Set<string>>();
  for (const doc of docs) {
    const set = doc as { kind?: unknown; spec?: Record<string, unknown> } | null;
    const list = set?.spec?.[field];
    if (set?.kind !== kind || !Array.isArray(list)) throw new FyrError('MIRROR_FAILED', `${file} is not an ${kind}`);
    for (const m of list as Array<{ source?: unknown; mirrors?: unknown }>) {
      const mirrors = merged.get(String(m.source)) ?? new Set<string>();
      for (const x of Array.isArray(m.mirrors) ? m.mirrors : [])
        if (typeof x === 'string' && x.startsWith(`${loopback}/`)) mirrors.add(x.slice(loopback.length + 1));
      merged.set(String(m.source), mirrors);
    }
  }
  const sources = [...merged]
    .filter(([, mirrors]) => mirrors.size > 0)
    .map(([source, mirrors]) => ({ source, mirrors: [...mirrors].sort() }))
    .sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  return { sources, text: mirrorSetYaml(kind, sources) };
}

// One mirror set as fyr keeps it (values JSON-quoted, which YAML reads as they are).
export function mirrorSetYaml(kind: MirrorSetKind, sources: readonly MirrorSource[]): string {
  const field = kind === 'ImageDigestMirrorSet' ? 'imageDigestMirrors' : 'imageTagMirrors';
  return [
    'apiVersion: config.openshift.io/v1',
    `kind: ${kind}`,
    'metadata:',
    `  name: ${kind === 'ImageDigestMirrorSet' ? 'idms' : 'itms'}-oc-mirror`,
    'spec:',
    `  ${field}:`,
    ...sources.flatMap((s) => [
      '  - mirrors:',
      ...s.mirrors.map((m) => `    - ${JSON.stringify(`${REGISTRY_PLACEHOLDER}/${m}`)}`),
      `    source: ${JSON.stringify(s.source)}`,
    ]),
    '',
  ].join('\n');
}

// Unfinished uploads a writable registry may leave: no reader needs them.
export async function dropUploads(root: string, repositories: string[]): Promise<void> {
  for (const repo of repositories)
    await rm(join(root, 'docker/registry/v2/repositories', repo, '_uploads'), { recursive: true, force: true });
}

// The cached tree into DIR: hard links where the file system allows, else copies.
export async function linkTree(from: string, to: string, out: string): Promise<void> {
  for (const f of await listTree(from)) {
    await mkdir(dirname(join(to, f.path)), { recursive: true });
    await link(join(from, f.path), join(to, f.path)).catch(() =>
      copyFile(join(from, f.path), join(to, f.path)).catch((err: unknown) => {
        throw writeError(err, join(out, 'registry', f.path));
      }),
    );
  }
}
