// Reads a YAML input file (site or secrets) safely and keeps source positions, so every later
// problem can be reported as file:line:col. The only importer of the `yaml` package.
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import type { SiteProblem, SiteProblemCode } from './problem-codes.js';
import type { PathSegment } from './path.js';
import { InputFileError, readCapped } from '../util/read-capped.js';
import { deepestPath, MAX_DEPTH, scanDepth } from './yaml-depth.js';

// Site files are kilobytes; anything far larger is a mistake or an attack.
export const MAX_FILE_BYTES = 1024 * 1024;
// Alias expansions allowed while converting to data; a "billion laughs" needs thousands.
export const MAX_ALIAS_COUNT = 100;

export interface Source {
  // The path as shown in messages (as the user gave it).
  display: string;
  data: unknown;
  locate(path: readonly PathSegment[], options?: { key?: boolean }): { line: number; col: number };
}

export type LoadResult = { ok: true; source: Source } | { ok: false; problems: SiteProblem[] };

// Raised when the file itself cannot be read; callers decide how to report it.
export class UnreadableFileError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
  }
}

export interface LoadOptions {
  // Refuse a symbolic link (a file inside a content directory).
  noFollow?: boolean;
  // Never quote the file's text in a message, and why (a secrets file, a manifest that may be
  // someone else's file): the parser's messages become its error kind and the position.
  redact?: string;
}

// Reads and parses one YAML file; problems in the content are returned, never thrown.
export async function loadYamlFile(file: string, display: string, options: LoadOptions = {}): Promise<LoadResult> {
  const bytes = await readBounded(file, options.noFollow ?? false);
  const at = (code: SiteProblemCode, message: string, line = 1, col = 1, expected?: string): LoadResult => ({
    ok: false,
    problems: [
      { severity: 'error', code, file: display, line, col, path: '', message, ...(expected ? { expected } : {}) },
    ],
  });
  if (bytes === 'too-large') {
    return at(
      'FILE_TOO_LARGE',
      `the file is larger than ${MAX_FILE_BYTES / 1024} KiB`,
      1,
      1,
      'a site file of at most 1 MiB',
    );
  }
  const text = decodeText(bytes);
  if (text === undefined) {
    return at('FILE_NOT_TEXT', 'the file is not UTF-8 text (binary data or NUL bytes)', 1, 1, 'a UTF-8 YAML file');
  }
  const deep = (line: number, col: number) =>
    at('YAML_DEPTH', `nested more than ${MAX_DEPTH} levels deep`, line, col, 'a site file nested a few levels deep');
  const lineCounter = new LineCounter();
  const tooDeep = scanDepth(text);
  if (tooDeep !== undefined) {
    // Not parsed, so no line counter yet: count the lines before it.
    const before = text.slice(0, tooDeep);
    const line = before.split('\n').length;
    return deep(line, tooDeep - before.lastIndexOf('\n'));
  }
  const docs = parseAllDocuments(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    strict: true,
    schema: 'core',
  });
  const pos = (offset: number) => lineCounter.linePos(offset);
  const doc = docs[0];
  if (doc === undefined || doc.contents === null) {
    return at(
      'FILE_EMPTY',
      'the file holds no YAML document',
      1,
      1,
      'a YAML mapping; `fyr init` writes a commented example',
    );
  }
  const problems: SiteProblem[] = [];
  let syntaxReported = false;
  for (const err of [...doc.errors, ...doc.warnings]) {
    // After the first syntax error the parser is out of step and later ones are mostly echoes.
    const isSyntax = err.code !== 'DUPLICATE_KEY' && err.code !== 'TAG_RESOLVE_FAILED';
    if (isSyntax && syntaxReported) continue;
    syntaxReported ||= isSyntax;
    const { line, col } = pos(err.pos[0]);
    const code =
      err.code === 'DUPLICATE_KEY'
        ? 'YAML_DUPLICATE_KEY'
        : err.code === 'TAG_RESOLVE_FAILED'
          ? 'YAML_TAG'
          : 'YAML_SYNTAX';
    const message =
      code === 'YAML_DUPLICATE_KEY'
        ? 'duplicate key: this key appears earlier in the same mapping'
        : options.redact !== undefined
          ? `YAML error (text not shown: ${options.redact})`
          : lowerFirst(err.message);
    // The parser's error kind says what went wrong without quoting the text.
    const kind = options.redact !== undefined && code !== 'YAML_DUPLICATE_KEY' ? describeKind(err.code) : undefined;
    problems.push({
      severity: 'error',
      code,
      file: display,
      line,
      col,
      path: '',
      message,
      ...(kind ? { expected: kind } : {}),
    });
  }
  for (const extra of docs.slice(1)) {
    const { line, col } = pos(extra.range[0]);
    problems.push({
      severity: 'error',
      code: 'YAML_MULTIPLE_DOCUMENTS',
      file: display,
      line,
      col,
      path: '',
      message: 'a second YAML document ("---") follows the first',
      expected: 'exactly one document',
    });
  }
  if (problems.length > 0) return { ok: false, problems };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const aliasAt = firstAlias(doc);
    const { line, col } = aliasAt === undefined ? { line: 1, col: 1 } : pos(aliasAt);
    const message = err instanceof Error ? err.message : String(err);
    if (/excessive alias count/i.test(message)) {
      return at(
        'YAML_ALIAS_LIMIT',
        `aliases expand to too much data (more than ${MAX_ALIAS_COUNT} expansions; a "billion laughs" document?)`,
        line,
        col,
        'a site file without deeply nested aliases',
      );
    }
    return at(
      'YAML_SYNTAX',
      options.redact !== undefined ? `YAML error (text not shown: ${options.redact})` : lowerFirst(message),
      line,
      col,
    );
  }
  const deepAt = deepestPath(data);
  if (deepAt !== undefined) {
    const { line, col } = locateIn(doc, lineCounter, deepAt, false);
    return deep(line, col);
  }
  return {
    ok: true,
    source: { display, data, locate: (path, options) => locateIn(doc, lineCounter, path, options?.key ?? false) },
  };
}

async function readBounded(file: string, noFollow: boolean): Promise<Buffer | 'too-large'> {
  try {
    return readCapped(file, MAX_FILE_BYTES, { noFollow });
  } catch (err) {
    if (err instanceof InputFileError && err.problem === 'too-large') return 'too-large';
    throw new UnreadableFileError(err instanceof Error ? err.message : String(err), { cause: err });
  }
}

// UTF-8 text without NUL bytes, or undefined; a leading BOM is dropped.
function decodeText(bytes: Buffer): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return undefined;
  }
}

// "BAD_INDENT" -> "valid YAML (the parser found: bad indent)".
function describeKind(code: string): string {
  return `valid YAML (the parser found: ${code.toLowerCase().replace(/_/g, ' ')})`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function firstAlias(doc: Document): number | undefined {
  let found: number | undefined;
  const visit = (node: unknown): void => {
    if (found !== undefined || node === null || typeof node !== 'object') return;
    if (isAlias(node)) {
      found = node.range?.[0];
    } else if (isMap(node) || isSeq(node)) {
      for (const item of node.items) visit(item);
    } else if (isPair(node)) {
      visit(node.key);
      visit(node.value);
    }
  };
  visit(doc.contents);
  return found;
}

// Finds the node a data path points at; falls back to the nearest ancestor that exists, so
// problems about defaulted or missing values still point somewhere useful.
function locateIn(
  doc: Document,
  lineCounter: LineCounter,
  path: readonly PathSegment[],
  wantKey: boolean,
): { line: number; col: number } {
  let node: unknown = doc.contents;
  let offset = (node as YamlNode | null)?.range?.[0] ?? 0;
  for (const [index, segment] of path.entries()) {
    if (isAlias(node)) node = node.resolve(doc);
    let next: unknown;
    let keyOffset: number | undefined;
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (pair === undefined) break;
      keyOffset = (pair.key as YamlNode).range?.[0];
      next = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      next = node.items[segment];
      if (next === undefined) break;
    } else {
      break;
    }
    const isLast = index === path.length - 1;
    const valueOffset = (next as YamlNode | null)?.range?.[0];
    offset = (isLast && wantKey ? keyOffset : (valueOffset ?? keyOffset)) ?? offset;
    node = next;
  }
  return lineCounter.linePos(offset);
}

// Every document of a multi-document YAML text a program wrote (oc-mirror's cluster
// resources), as data; undefined when one does not parse.
export function yamlDocuments(text: string): unknown[] | undefined {
  const docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true, strict: true, schema: 'core' });
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return undefined;
  try {
    return docs.filter((d) => d.contents !== null).map((d) => d.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown);
  } catch {
    return undefined;
  }
}
