// The operator catalog oc-mirror filtered and pushed into the registry tree, read back from the
// tree itself (no registry running): tag link -> manifest (an index: its linux/amd64 entry) ->
// config (where the catalog keeps its file-based catalog, the label
// operators.operatorframework.io.index.configs.v1, /configs by default) -> the layers from the
// top down, gzip or plain tar, streamed: the FBC files under that directory, until a layer
// whites the directory out (oc-mirror's rebuilt catalog adds a layer deleting the original
// /configs below one with the filtered configs). From the FBC (olm.package, olm.channel,
// olm.bundle documents, JSON streams or YAML): each package's channel, its head's CSV and version.
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { createGunzip } from 'node:zlib';
import { FyrError } from '../errors.js';
import type { OperatorPackage, OperatorRequest } from '../formats/operator-catalog.js';
import { yamlDocuments } from '../site/source.js';
import { scanTar } from '../util/tar.js';

const V2 = 'docker/registry/v2';
const CONFIGS_LABEL = 'operators.operatorframework.io.index.configs.v1';

export type FbcDocument = Record<string, unknown> & { schema?: string };

const blobPath = (root: string, digest: string) => {
  const hex = digest.replace(/^sha256:/, '');
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new FyrError('MIRROR_FAILED', `the catalog names a bad digest ${digest}`);
  return join(root, V2, 'blobs/sha256', hex.slice(0, 2), hex, 'data');
};

async function readJsonBlob(root: string, digest: string, what: string): Promise<Record<string, unknown>> {
  const text = await readFile(blobPath(root, digest), 'utf8').catch(() => {
    throw new FyrError('MIRROR_FAILED', `the mirrored catalog's ${what} ${digest} is not in the registry tree`);
  });
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new FyrError('MIRROR_FAILED', `the mirrored catalog's ${what} ${digest} is not JSON`);
  }
}

// The JSON values of a stream of them (an FBC catalog.json: objects one after the other, each
// possibly over many lines), split by their brackets outside strings.
export function jsonStream(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth++ === 0) start = i;
    } else if (c === '}' || c === ']') {
      if (--depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
      if (depth < 0) throw new SyntaxError('unbalanced brackets');
    }
  }
  if (depth !== 0) throw new SyntaxError('unexpected end of JSON');
  return out;
}

const isFbcFile = (name: string) => /\.(json|ya?ml)$/.test(name) && !posix.basename(name).startsWith('.wh.');

// The FBC documents of an image in the tree, by repository and tag.
export async function readCatalog(root: string, repo: string, tag: string): Promise<FbcDocument[]> {
  const link = join(root, V2, 'repositories', repo, '_manifests/tags', tag, 'current/link');
  const digest = (await readFile(link, 'utf8').catch(() => '')).trim();
  if (!digest) throw new FyrError('MIRROR_FAILED', `the registry tree has no catalog ${repo}:${tag}`);
  let manifest = await readJsonBlob(root, digest, 'manifest');
  if (Array.isArray(manifest.manifests)) {
    const entries = manifest.manifests as Array<{ digest: string; platform?: { os?: string; architecture?: string } }>;
    const pick = entries.find((m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64') ?? entries[0];
    if (!pick) throw new FyrError('MIRROR_FAILED', `the catalog ${repo}:${tag} is an empty index`);
    manifest = await readJsonBlob(root, pick.digest, 'manifest');
  }
  const layers = (manifest.layers ?? []) as Array<{ digest: string }>;
  const configDigest = (manifest.config as { digest?: string } | undefined)?.digest;
  const config = configDigest ? await readJsonBlob(root, configDigest, 'config') : {};
  const labels = ((config.config as { Labels?: Record<string, string> } | undefined)?.Labels ?? {}) as Record<
    string,
    string
  >;
  const dir = posix.normalize(labels[CONFIGS_LABEL] ?? '/configs').replace(/^\/+|\/+$/g, '');
  const taken = new Map<string, Buffer>();
  // Paths a higher layer deleted (whiteouts): hidden in the layers below.
  const hidden: string[] = [];
  const isHidden = (path: string) => hidden.some((h) => path === h || path.startsWith(`${h}/`));
  for (const layer of [...layers].reverse()) {
    const { names, files } = await scanTar(layerStream(blobPath(root, layer.digest)), (name) => {
      const path = clean(name);
      return path.startsWith(`${dir}/`) && isFbcFile(path) && !taken.has(path) && !isHidden(path);
    });
    for (const f of files) taken.set(clean(f.path), f.content);
    for (const name of names.map(clean)) {
      const base = posix.basename(name);
      const parent = posix.dirname(name) === '.' ? '' : posix.dirname(name);
      if (base === '.wh..wh..opq') hidden.push(parent);
      else if (base.startsWith('.wh.')) hidden.push(parent ? `${parent}/${base.slice(4)}` : base.slice(4));
    }
    // The directory itself deleted (or made opaque): nothing below this layer shows.
    if (isHidden(dir)) break;
  }
  const docs: FbcDocument[] = [];
  for (const [path, content] of [...taken].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const text = content.toString('utf8');
    let parsed: unknown[] | undefined;
    try {
      parsed = path.endsWith('.json') ? jsonStream(text) : yamlDocuments(text);
    } catch {
      parsed = undefined;
    }
    if (!parsed) throw new FyrError('MIRROR_FAILED', `the catalog ${repo}:${tag} has a file ${path} fyr cannot read`);
    for (const d of parsed) if (d && typeof d === 'object' && !Array.isArray(d)) docs.push(d as FbcDocument);
  }
  return docs;
}

const clean = (name: string) => posix.normalize(name).replace(/^(\.\/|\/)+/, '');

// A layer's bytes as a tar: gunzipped when gzip (its magic), as they are when a plain tar.
async function* layerStream(file: string): AsyncGenerator<Buffer> {
  const head = Buffer.alloc(4);
  const fd = await open(file, 'r');
  try {
    await fd.read(head, 0, 4, 0);
  } finally {
    await fd.close();
  }
  if (head.readUInt32BE(0) === 0x28b52ffd)
    throw new FyrError('MIRROR_FAILED', `a catalog layer is zstd-compressed, which fyr does not read (${file})`);
  const raw = createReadStream(file);
  const stream = head[0] === 0x1f && head[1] === 0x8b ? raw.pipe(createGunzip()) : raw;
  raw.on('error', (err) => stream.destroy(err));
  for await (const chunk of stream) yield chunk as Buffer;
}

interface Entry {
  name: string;
  replaces?: string;
  skips?: string[];
}

// Each package's channel (the one asked for, else the catalog's default) with its head: the
// entry no other entry of the channel replaces or skips. Requested packages first, in the
// order asked, then their dependencies by name. Throws MIRROR_FAILED naming every package or
// channel asked for that the catalog lacks.
export function catalogPackages(
  docs: readonly FbcDocument[],
  requests: readonly OperatorRequest[],
  catalog: string,
): OperatorPackage[] {
  const packages = new Map<string, { defaultChannel?: string }>();
  const channels = new Map<string, Map<string, Entry[]>>();
  const versions = new Map<string, string>();
  for (const d of docs) {
    if (d.schema === 'olm.package' && typeof d.name === 'string')
      packages.set(d.name, { ...(typeof d.defaultChannel === 'string' ? { defaultChannel: d.defaultChannel } : {}) });
    else if (d.schema === 'olm.channel' && typeof d.package === 'string' && typeof d.name === 'string') {
      const byName = channels.get(d.package) ?? new Map<string, Entry[]>();
      byName.set(d.name, Array.isArray(d.entries) ? (d.entries as Entry[]) : []);
      channels.set(d.package, byName);
    } else if (d.schema === 'olm.bundle' && typeof d.name === 'string') {
      const props = Array.isArray(d.properties) ? (d.properties as Array<{ type?: string; value?: unknown }>) : [];
      const version = (props.find((p) => p.type === 'olm.package')?.value as { version?: unknown } | undefined)
        ?.version;
      if (typeof version === 'string') versions.set(d.name, version);
    }
  }
  const problems: string[] = [];
  const wanted = new Map(requests.map((r) => [r.name, r]));
  for (const r of requests) {
    if (!packages.has(r.name)) problems.push(`${r.name}: not in the catalog`);
    else if (r.channel && !channels.get(r.name)?.has(r.channel))
      problems.push(
        `${r.name}: no channel ${r.channel} (it has ${[...(channels.get(r.name)?.keys() ?? [])].join(', ') || 'none'})`,
      );
  }
  const out: OperatorPackage[] = [];
  const order = [...requests.map((r) => r.name), ...[...packages.keys()].filter((n) => !wanted.has(n)).sort()];
  for (const name of order) {
    if (!packages.has(name)) continue;
    const channel = wanted.get(name)?.channel ?? packages.get(name)!.defaultChannel;
    const entries = channel ? channels.get(name)?.get(channel) : undefined;
    if (!channel || !entries || entries.length === 0) {
      if (!problems.some((p) => p.startsWith(`${name}:`)))
        problems.push(`${name}: ${channel ? `its channel ${channel} has no entries` : 'no default channel'}`);
      continue;
    }
    const superseded = new Set(entries.flatMap((e) => [...(e.replaces ? [e.replaces] : []), ...(e.skips ?? [])]));
    const heads = entries.filter((e) => !superseded.has(e.name));
    if (heads.length !== 1) {
      problems.push(`${name}: channel ${channel} has ${heads.length} heads (${heads.map((h) => h.name).join(', ')})`);
      continue;
    }
    const csv = heads[0]!.name;
    const version = versions.get(csv);
    if (!version) {
      problems.push(`${name}: no bundle ${csv} with a version (olm.package property)`);
      continue;
    }
    out.push({ name, channel, csv, version, requested: wanted.has(name) });
  }
  if (problems.length > 0)
    throw new FyrError('MIRROR_FAILED', `the mirrored catalog ${catalog} lacks what was asked for`, {
      details: [
        ...problems,
        'Check the names and channels in the catalog (oc-mirror list operators --catalog CATALOG --package NAME).',
      ],
    });
  return out;
}

// The packages the catalog's bundles require (olm.package.required) that it does not hold.
export function missingRequired(docs: readonly FbcDocument[]): string[] {
  const held = new Set(docs.filter((d) => d.schema === 'olm.package').map((d) => d.name));
  const missing = new Set<string>();
  for (const d of docs) {
    if (d.schema !== 'olm.bundle' || !Array.isArray(d.properties)) continue;
    for (const p of d.properties as Array<{ type?: string; value?: { packageName?: unknown } }>)
      if (
        p.type === 'olm.package.required' &&
        typeof p.value?.packageName === 'string' &&
        !held.has(p.value.packageName)
      )
        missing.add(p.value.packageName);
  }
  return [...missing].sort();
}
