// The content directory of a release: the payload files and fyr-content.json, which names each
// file's role, size and sha256. The manifest, every file's presence and size are checked here,
// before anything is written; the checksums by the caller while it copies the files (one read of
// each), which reports mismatches through `checksumError`. Every problem is at the manifest
// line that names it.
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FyrError, InvalidInputError } from '../errors.js';
import type { ContentProblem, ContentProblemCode } from './content-codes.js';
import { formatPath, type PathSegment } from '../site/path.js';
import { checkSchema, compileSchema } from '../site/schema-check.js';
import { loadYamlFile, UnreadableFileError } from '../site/source.js';
import { CONTENT_ROLES, contentSchema, REQUIRED_ROLES, type ContentRole } from './content-schema.js';

export const CONTENT_MANIFEST = 'fyr-content.json';

export interface ContentFile {
  // Relative to the content directory, with "/".
  path: string;
  role: ContentRole;
  size: number;
  sha256: string;
  absolute: string;
}

export interface Content {
  dir: string;
  release: { name: string; openshift: string; rhcos?: string };
  files: ContentFile[];
  // The error for files whose sha256 (computed by the caller) is not the manifest's.
  checksumError(found: ReadonlyArray<{ file: ContentFile; actual: string }>): InvalidInputError;
}

let validate: ReturnType<typeof compileSchema> | undefined;

export async function loadContent(dir: string): Promise<Content> {
  const manifest = join(dir, CONTENT_MANIFEST);
  let loaded;
  try {
    loaded = await loadYamlFile(manifest, manifest);
  } catch (err) {
    if (err instanceof UnreadableFileError)
      throw new FyrError('CONTENT_INVALID', `${manifest}: ${err.message}`, {
        details: ['The content directory needs a fyr-content.json; see docs/release-iso.md, "The content directory".'],
      });
    throw err;
  }
  if (!loaded.ok) throw new InvalidInputError(`${manifest}: invalid`, loaded.problems, 'CONTENT_INVALID');
  const source = loaded.source;
  validate ??= compileSchema(contentSchema);
  const schemaProblems = checkSchema(validate, source);
  if (schemaProblems.length > 0) throw new InvalidInputError(`${manifest}: invalid`, schemaProblems, 'CONTENT_INVALID');
  const data = source.data as { release: Content['release']; files: Array<Omit<ContentFile, 'absolute'>> };
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
  checkRoles(data.files, problem);
  const root = resolve(dir);
  const files: ContentFile[] = data.files.map((f) => ({ ...f, absolute: join(root, f.path) }));
  const seen = new Map<string, number>();
  for (const [i, f] of files.entries()) {
    const first = seen.get(f.path);
    if (first !== undefined)
      problem(['files', i, 'path'], 'CONTENT_PATH_DUPLICATE', `"${f.path}" is listed twice (first as files[${first}])`);
    seen.set(f.path, i);
    const info = await stat(f.absolute).catch(() => undefined);
    if (!info) problem(['files', i, 'path'], 'CONTENT_FILE_MISSING', `${f.path} is not in ${dir}`);
    else if (!info.isFile()) problem(['files', i, 'path'], 'CONTENT_NOT_FILE', `${f.path} is not a regular file`);
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
  if (problems.length > 0) throw fail();
  return { dir: root, release: data.release, files, checksumError };
}

function checkRoles(
  files: ReadonlyArray<{ role: ContentRole }>,
  problem: (path: PathSegment[], code: ContentProblemCode, message: string, expected?: string) => void,
) {
  for (const role of REQUIRED_ROLES) {
    if (!files.some((f) => f.role === role))
      problem(
        ['files'],
        'CONTENT_ROLE_MISSING',
        `no file has role "${role}"`,
        `one file for each of: ${REQUIRED_ROLES.join(', ')}`,
      );
  }
  for (const role of CONTENT_ROLES.filter((r) => r !== 'other')) {
    const at = files.map((f, i) => (f.role === role ? i : -1)).filter((i) => i >= 0);
    if (at.length > 1)
      problem(
        ['files', at[1]!, 'role'],
        'CONTENT_ROLE_DUPLICATE',
        `role "${role}" is given to more than one file (also files[${at[0]}])`,
      );
  }
}
