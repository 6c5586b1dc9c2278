// The content directory of a release: the payload files and fyr-content.json, which names each
// file's role, size and sha256. The manifest, every file's presence and size are checked here,
// before anything is written; the checksums by the caller while it copies the files (one read of
// each), which reports mismatches through `checksumError`. Every problem is at the manifest
// line that names it.
import { join, resolve } from 'node:path';
import { FyrError, InvalidInputError } from '../errors.js';
import type { OperatorCatalog } from '../formats/operator-catalog.js';
import type { ReleaseInfo } from '../formats/release-json.js';
import type { RegistryDelta, UpgradePath } from '../formats/upgrade-path.js';
import type { ContentProblem, ContentProblemCode } from './content-codes.js';
import { contentPathKind } from './content-paths.js';
import { formatPath, type PathSegment } from '../site/path.js';
import { checkSchema } from '../site/schema-check.js';
import type { SchemaValidator } from '../util/json-schema.js';
import contentValidator from './content.validator.js';
import { loadYamlFile, UnreadableFileError } from '../site/source.js';
import { baseListing, checkUpgrade } from './content-upgrade.js';
import { loadTree, startListing, type ContentTree, type DeferredRead } from './content-tree.js';
import {
  CONTENT_ROLES,
  REQUIRED_ROLES,
  REQUIRED_ROLES_V2,
  type ContentFormat,
  type ContentRole,
} from './content-schema.js';

export const CONTENT_MANIFEST = 'fyr-content.json';

export interface ContentFile {
  // Relative to the content directory, with "/".
  path: string;
  role: ContentRole;
  size: number;
  sha256: string;
  absolute: string;
}

// What fyr-content.json says of the release: release.json records the same.
export type ContentRelease = ReleaseInfo['release'];

export type { ContentTree, DeferredRead } from './content-tree.js';

export interface Content {
  dir: string;
  format: ContentFormat;
  release: ContentRelease;
  tools?: Record<string, string>;
  files: ContentFile[];
  tree?: ContentTree;
  // The operator catalog in the tree (fyr content --operator): release.json records it.
  operators?: OperatorCatalog;
  // fyr content --from: the hops; --delta-from: the tree is partial (tree.delta says on what).
  upgrade?: UpgradePath;
  delta?: RegistryDelta;
  // The error for files whose sha256 (computed by the caller) is not the manifest's.
  checksumError(found: ReadonlyArray<{ file: ContentFile; actual: string }>): InvalidInputError;
  // The error for registry blobs whose bytes do not hash to their names.
  blobError(found: ReadonlyArray<{ path: string; actual: string; expected: string }>): InvalidInputError;
  // With deferSmallFiles: the tree's check finished with what the copy read of its deferred
  // files; the error if it fails.
  finishTree(read: DeferredRead): InvalidInputError | undefined;
}

export interface LoadOptions {
  // Leave the tree's small files that are not blobs (its links) unread: fyr release reads them
  // once, while it copies them, and calls finishTree.
  deferSmallFiles?: boolean;
}

export async function loadContent(dir: string, options: LoadOptions = {}): Promise<Content> {
  const manifest = join(dir, CONTENT_MANIFEST);
  // The registry tree is listed while the manifest is parsed and checked.
  const early = startListing(resolve(dir), manifest);
  try {
    return await readContent(dir, manifest, options, early);
  } finally {
    early?.stop();
  }
}

async function readContent(
  dir: string,
  manifest: string,
  options: LoadOptions,
  early: ReturnType<typeof startListing>,
): Promise<Content> {
  let loaded;
  try {
    // Not followed if a link, and never quoted: it may be someone else's file.
    loaded = await loadYamlFile(manifest, manifest, { noFollow: true, redact: 'the manifest is not shown' });
  } catch (err) {
    if (err instanceof UnreadableFileError)
      throw new FyrError('CONTENT_INVALID', `${manifest}: ${err.message}`, {
        details: ['The content directory needs a fyr-content.json; see docs/release-iso.md, "The content directory".'],
      });
    throw err;
  }
  if (!loaded.ok) throw new InvalidInputError(`${manifest}: invalid`, loaded.problems, 'CONTENT_INVALID');
  const source = loaded.source;
  const schemaProblems = checkSchema(contentValidator as unknown as SchemaValidator, source, { redactValues: true });
  if (schemaProblems.length > 0) throw new InvalidInputError(`${manifest}: invalid`, schemaProblems, 'CONTENT_INVALID');
  const data = source.data as {
    format: ContentFormat;
    release: ContentRelease;
    tools?: Record<string, string>;
    files: Array<Omit<ContentFile, 'absolute'>>;
    registry?: Omit<ContentTree, 'absolute' | 'entries' | 'modes' | 'deferred'>;
    operators?: OperatorCatalog;
    upgrade?: UpgradePath;
  };
  const problems: ContentProblem[] = [];
  const problem = (path: PathSegment[], code: ContentProblemCode, message: string, expected?: string) => {
    const { line, col } = source.locate(path);
    problems.push({
      severity: 'error',
      code,
      file: manifest,
      line,
      col,
      path: formatPath(path),
      message,
      ...(expected ? { expected } : {}),
    });
  };
  checkRoles(data, problem);
  const root = resolve(dir);
  const files: ContentFile[] = data.files.map((f) => ({ ...f, absolute: join(root, f.path) }));
  const seen = new Map<string, number>();
  for (const [i, f] of files.entries()) {
    const first = seen.get(f.path);
    if (first !== undefined)
      problem(['files', i, 'path'], 'CONTENT_PATH_DUPLICATE', `"${f.path}" is listed twice (first as files[${first}])`);
    seen.set(f.path, i);
    const info = await contentPathKind(root, f.path);
    if (info.kind === 'missing') problem(['files', i, 'path'], 'CONTENT_FILE_MISSING', `${f.path} is not in ${dir}`);
    else if (info.kind === 'link')
      problem(['files', i, 'path'], 'CONTENT_LINK', `${info.at} is a symbolic link; copy the file itself in`);
    else if (info.kind !== 'file') problem(['files', i, 'path'], 'CONTENT_NOT_FILE', `${f.path} is not a regular file`);
    else if (info.size !== f.size)
      problem(
        ['files', i, 'size'],
        'CONTENT_SIZE_MISMATCH',
        `${f.path} has ${info.size} bytes, the manifest says ${f.size}`,
      );
  }
  const mismatch = (f: ContentFile, actual: string) =>
    problem(
      ['files', files.indexOf(f), 'sha256'],
      'CONTENT_SHA256_MISMATCH',
      `${f.path} has sha256 ${actual}, the manifest says ${f.sha256}`,
    );
  const fail = () => new InvalidInputError(`${manifest}: ${problems.length} problem(s)`, problems, 'CONTENT_INVALID');
  const checksumError = (found: ReadonlyArray<{ file: ContentFile; actual: string }>) => {
    for (const { file, actual } of found) mismatch(file, actual);
    return fail();
  };
  const blobError = (found: ReadonlyArray<{ path: string; actual: string; expected: string }>) => {
    for (const b of found)
      problem(
        ['registry', 'path'],
        'CONTENT_BLOB_CORRUPT',
        `${b.path} has sha256 ${b.actual}, its name says ${b.expected}`,
      );
    return fail();
  };
  checkUpgrade(data, files, problem);
  const base = data.registry?.delta ? baseListing(files, problem) : undefined;
  const treeLoaded = data.registry
    ? await loadTree(
        root,
        data.registry,
        problem,
        base,
        options.deferSmallFiles === true,
        early?.path === data.registry.path ? early.listing : undefined,
      )
    : undefined;
  if (problems.length > 0) throw fail();
  const tree = treeLoaded?.tree;
  const finishTree = (read: DeferredRead) => {
    treeLoaded?.finish(read);
    return problems.length > 0 ? fail() : undefined;
  };
  return {
    dir: root,
    format: data.format,
    release: data.release,
    ...(data.tools ? { tools: data.tools } : {}),
    files,
    ...(tree ? { tree } : {}),
    ...(data.operators ? { operators: data.operators } : {}),
    ...(data.upgrade ? { upgrade: data.upgrade } : {}),
    ...(data.registry?.delta ? { delta: data.registry.delta } : {}),
    checksumError,
    blobError,
    finishTree,
  };
}

function checkRoles(
  data: {
    format: ContentFormat;
    release: ContentRelease;
    files: ReadonlyArray<{ role: ContentRole }>;
    registry?: unknown;
    operators?: unknown;
  },
  problem: (path: PathSegment[], code: ContentProblemCode, message: string, expected?: string) => void,
) {
  const { files } = data;
  const v2 = data.format === 'fyr-content/2';
  const required = v2
    ? [...REQUIRED_ROLES_V2, ...(data.release.signature === 'skipped' ? [] : (['release-signature'] as const))]
    : REQUIRED_ROLES;
  if (v2 && !data.registry)
    problem([], 'CONTENT_TREE_INVALID', 'fyr-content/2 needs a "registry" entry (the registry storage tree)');
  if (data.operators && !data.registry)
    problem(['operators'], 'CONTENT_TREE_INVALID', 'operators need the registry tree their catalog is in ("registry")');
  if (data.operators && !files.some((f) => f.role === 'catalog-source'))
    problem(
      ['operators'],
      'CONTENT_ROLE_MISSING',
      'operators need their CatalogSource: no file has role "catalog-source"',
      'the cs-*.yaml oc-mirror wrote, with role catalog-source',
    );
  if (v2 && !data.release.image)
    problem(['release'], 'CONTENT_TREE_INVALID', 'fyr-content/2 needs release.image, the release pinned by digest');
  for (const role of required) {
    if (!files.some((f) => f.role === role))
      problem(
        ['files'],
        'CONTENT_ROLE_MISSING',
        `no file has role "${role}"`,
        `one file for each of: ${required.join(', ')}`,
      );
  }
  for (const role of CONTENT_ROLES.filter((r) => r !== 'other' && r !== 'upgrade-signature')) {
    const at = files.map((f, i) => (f.role === role ? i : -1)).filter((i) => i >= 0);
    if (at.length > 1)
      problem(
        ['files', at[1]!, 'role'],
        'CONTENT_ROLE_DUPLICATE',
        `role "${role}" is given to more than one file (also files[${at[0]}])`,
      );
  }
}
