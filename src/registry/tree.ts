// A CNCF distribution registry's storage tree (docker/registry/v2/...), as fyr ships it on the
// stick: blobs named by their sha256 and small link files naming digests, so the tree checks
// itself. Its identity is one tree hash: sha256 over the sorted "path\0size\0sha256\n" lines,
// paths relative to the tree root with "/". Listing and hashing here; serving is the agent's.
import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { readCapped } from '../util/read-capped.js';

export const TREE_PREFIX = 'docker/registry/v2';
const BLOB = /^docker\/registry\/v2\/blobs\/sha256\/([0-9a-f]{2})\/([0-9a-f]{64})\/data$/;
export const LINK = /(^|\/)link$/;
// Files no reader needs and that a read-only registry never writes: unfinished uploads.
const UPLOADS = /(^|\/)_uploads(\/|$)/;
// The most fyr reads of a file that is not a blob (a link is about 71 bytes).
const SMALL_FILE_MAX = 1 << 20;

export interface TreeFile {
  path: string;
  size: number;
  // Permission and type bits as listed (listTree), for whoever lays the tree out again.
  mode?: number;
}
export interface HashedFile extends TreeFile {
  sha256: string;
}
export interface TreeSummary {
  files: number;
  bytes: number;
  sha256: string;
}

// What is wrong with a tree, one line per file, with the path.
export class TreeError extends Error {
  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super(message);
  }
}
TreeError.prototype.name = 'TreeError';

// The digest a blob's path names, or undefined for a link or other file.
export function blobDigest(path: string): string | undefined {
  const m = BLOB.exec(path);
  return m && m[2]!.startsWith(m[1]!) ? m[2] : undefined;
}

// Every regular file under `root`, sorted by path (byte order), with _uploads left out.
// Symbolic links and special files are refused: a stick carries the bytes themselves.
// Synchronous calls inside: thousands of tiny files, where an await per call costs seconds. The
// event loop gets a turn every few dozen directories, so the caller's other work (child
// processes it started, their output) goes on meanwhile. `modes`: keep each file's mode too.
export async function listTree(root: string, modes = false): Promise<TreeFile[]> {
  const out: TreeFile[] = [];
  const problems: string[] = [];
  const dirs = [''];
  for (let n = 1; dirs.length > 0; n++) {
    const rel = dirs.pop()!;
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (UPLOADS.test(path)) continue;
      if (e.isDirectory()) dirs.push(path);
      else if (e.isFile()) {
        const { size, mode } = lstatSync(join(root, path));
        out.push(modes ? { path, size, mode } : { path, size });
      } else problems.push(`${path}: not a regular file or directory`);
    }
    if (n % 64 === 0) await setImmediate();
  }
  return finishListing(root, out, problems);
}

// A listing's end, however it was listed (here, or by find: tree-find.ts): special files
// refused, the registry's own directory required, sorted by path.
export function finishListing(root: string, out: TreeFile[], problems: string[]): TreeFile[] {
  if (problems.length > 0) throw new TreeError(`${root}: ${problems.length} special file(s)`, problems.sort());
  if (!out.some((f) => f.path.startsWith(`${TREE_PREFIX}/`)))
    throw new TreeError(`${root} is not a registry storage tree`, [`no ${TREE_PREFIX}/ under ${root}`]);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function treeHash(files: readonly HashedFile[]): TreeSummary {
  const h = createHash('sha256');
  let bytes = 0;
  for (const f of files) {
    h.update(`${f.path}\0${f.size}\0${f.sha256}\n`);
    bytes += f.size;
  }
  return { files: files.length, bytes, sha256: h.digest('hex') };
}

export async function sha256File(path: string, onBytes?: (n: number) => void): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) {
    h.update(chunk as Buffer);
    onBytes?.((chunk as Buffer).length);
  }
  return h.digest('hex');
}

// The sha256 each file must have without reading the blobs (a blob's is its name; a link's and
// any other small file's is computed: they are tens of bytes), and every link that does not
// name a blob in the tree. Each small file is read once. Whoever copies the blobs checks them
// against these sums while copying.
// elsewhere: blobs a link may name that another tree holds (a delta's base).
export async function expectedHashes(
  root: string,
  files: readonly TreeFile[],
  elsewhere?: readonly TreeFile[],
): Promise<{ hashed: HashedFile[]; broken: string[] }> {
  const blobs = blobsOf(elsewhere ? [...files, ...elsewhere] : files);
  const hashed: HashedFile[] = [];
  const broken: string[] = [];
  for (const [i, f] of files.entries()) {
    if (i % 256 === 255) await setImmediate();
    const named = blobDigest(f.path);
    if (named) {
      hashed.push({ path: f.path, size: f.size, sha256: named });
      continue;
    }
    // Links are tens of bytes; anything else that is not a blob is read only up to a cap.
    let bytes: Buffer;
    try {
      bytes = readCapped(join(root, f.path), SMALL_FILE_MAX, { noFollow: true });
    } catch (err) {
      broken.push(`${f.path}: ${(err as Error).message} and is not a blob`);
      continue;
    }
    hashed.push({ path: f.path, size: f.size, sha256: createHash('sha256').update(bytes).digest('hex') });
    const problem = LINK.test(f.path) && linkProblem(f.path, bytes.toString('utf8'), blobs);
    if (problem) broken.push(problem);
  }
  return { hashed, broken };
}

// Every link names a sha256 digest whose blob is in the tree.
async function checkLinks(root: string, files: readonly TreeFile[]): Promise<string[]> {
  const blobs = blobsOf(files);
  const problems: string[] = [];
  for (const f of files.filter((x) => LINK.test(x.path))) {
    let text: string;
    try {
      text = readCapped(join(root, f.path), SMALL_FILE_MAX, { noFollow: true }).toString('utf8');
    } catch (err) {
      problems.push(`${f.path}: ${(err as Error).message}`);
      continue;
    }
    const problem = linkProblem(f.path, text, blobs);
    if (problem) problems.push(problem);
  }
  return problems;
}

export const blobsOf = (files: readonly TreeFile[]) => new Set(files.map((f) => blobDigest(f.path)).filter(Boolean));

export function linkProblem(path: string, content: string, blobs: ReadonlySet<string | undefined>): string | undefined {
  const text = content.trim();
  const m = /^sha256:([0-9a-f]{64})$/.exec(text);
  if (!m) return `${path}: holds ${JSON.stringify(text.slice(0, 80))}, not a sha256 digest`;
  if (!blobs.has(m[1])) return `${path}: names ${text}, whose blob is not in the tree`;
  return undefined;
}

// The full check: every blob hashes to its name, every link resolves. Reads every byte; each
// file's sha256 is returned too (whoever copies the tree next need not hash it again).
export async function verifyTree(
  root: string,
  onBytes?: (n: number) => void,
): Promise<{ summary: TreeSummary; problems: string[]; hashed: HashedFile[] }> {
  const files = await listTree(root);
  const problems = await checkLinks(root, files);
  const hashed: HashedFile[] = [];
  for (const f of files) {
    const actual = await sha256File(join(root, f.path), onBytes);
    const named = blobDigest(f.path);
    if (named && actual !== named) problems.push(`${f.path}: its content has sha256 ${actual}`);
    hashed.push({ ...f, sha256: actual });
  }
  return { summary: treeHash(hashed), problems, hashed };
}
