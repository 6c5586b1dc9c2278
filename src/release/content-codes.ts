// The codes a problem in a content directory's fyr-content.json can carry (fyr release).
// Stable, each with a row in docs/errors.md; the compiler checks every code content.ts uses.
import type { Problem } from '../errors.js';

export const CONTENT_PROBLEM_CODES = {
  CONTENT_FILE_MISSING: 'A file fyr-content.json lists is not in the content directory.',
  CONTENT_NOT_FILE: 'A path fyr-content.json lists is a directory or a special file.',
  CONTENT_LINK:
    "A content file, a directory on its path or the registry tree is a symbolic link; a content directory holds the files themselves (nothing about the link's target is shown).",
  CONTENT_SIZE_MISMATCH: 'A content file has another size than fyr-content.json says.',
  CONTENT_SHA256_MISMATCH: 'A content file has another sha256 than fyr-content.json says (corrupt or replaced).',
  CONTENT_PATH_DUPLICATE: 'fyr-content.json lists the same path twice.',
  CONTENT_ROLE_MISSING:
    'No content file has a role a release needs (RHCOS images, installers, the mirror, the registry image).',
  CONTENT_ROLE_DUPLICATE: 'Two content files have the same role.',
  CONTENT_TREE_INVALID:
    'The registry tree of a fyr-content/2 directory is missing, holds a special file or a link to a blob it lacks.',
  CONTENT_TREE_MISMATCH:
    'The registry tree has another file count, size or tree hash than fyr-content.json says (changed after fyr content).',
  CONTENT_BLOB_CORRUPT: "A registry blob's bytes do not hash to its content-addressed name (a damaged cache or disk).",
} as const;

export type ContentProblemCode = keyof typeof CONTENT_PROBLEM_CODES;
export type ContentProblem = Problem<ContentProblemCode>;
