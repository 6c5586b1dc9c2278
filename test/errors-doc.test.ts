// Keeps the error catalogues, the code that raises them and docs/errors.md in step.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sources } from './helpers/sources.js';
import { ERROR_CODES, type ErrorCode } from '../src/errors.js';
import type { ContentProblemCode } from '../src/release/content-codes.js';
import type { SiteProblemCode } from '../src/site/problem-codes.js';
import type { Finding } from '../src/site/rules/context.js';
import { PROBLEM_CODES, renderErrorsDoc } from './tools/errors-doc.js';

// The catalogues themselves are left out: a code must be raised elsewhere.
const SRC = sources('src').filter((f) => !f.endsWith('problem-codes.ts') && !f.endsWith('content-codes.ts'));
const TEXT = SRC.map((f) => readFileSync(f, 'utf8')).join('\n');

test('errors :: docs/errors.md is generated from the catalogues (run make docs)', () => {
  assert.fixture(readFileSync('docs/errors.md', 'utf8'), renderErrorsDoc());
});

// Problem codes are union types: a code outside the catalogue does not compile (tsc runs over
// test/ in make test and make check, and an unused @ts-expect-error is itself an error).
test('errors :: a code outside the catalogues does not compile', () => {
  // @ts-expect-error: not a site problem code
  const site: SiteProblemCode = 'SCHEMA_TYPO';
  // @ts-expect-error: a site code is not a content code
  const content: ContentProblemCode = 'SCHEMA_TYPE';
  // @ts-expect-error: not an error code
  const error: ErrorCode = 'TOOL_BROKE';
  const finding: Finding = { code: 'MAC_DUPLICATE', path: [], message: '' };
  assert.ok(site && content && error && finding.code in PROBLEM_CODES);
});

test('errors :: every catalogued code is raised somewhere', () => {
  for (const code of [...Object.keys(PROBLEM_CODES), ...Object.keys(ERROR_CODES)]) {
    if (code === 'INTERNAL') continue; // the boundary's fallback for anything uncatalogued
    assert.ok(TEXT.includes(`'${code}'`), `${code} is documented but never raised`);
  }
});

test('errors :: the docs name no code that does not exist', () => {
  const documented = [
    ...readFileSync('docs/errors.md', 'utf8').matchAll(/^\| <a id="[a-z0-9_]+"><\/a>`([A-Z0-9_]+)`/gm),
  ].map((m) => m[1]!);
  assert.equal(documented.sort(), [...Object.keys(ERROR_CODES), ...Object.keys(PROBLEM_CODES)].sort());
});

test.run();
