// Keeps the error catalogues, the code that raises them and docs/errors.md in step.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sources } from './helpers/sources.js';
import { ERROR_CODES } from '../src/errors.js';
import { PROBLEM_CODES } from '../src/site/problem-codes.js';
import { renderErrorsDoc } from './tools/errors-doc.js';


const SRC = sources('src').filter((f) => !f.endsWith('problem-codes.ts'));
const TEXT = SRC.map((f) => readFileSync(f, 'utf8')).join('\n');

test('errors :: docs/errors.md is generated from the catalogues (run make docs)', () => {
  assert.fixture(readFileSync('docs/errors.md', 'utf8'), renderErrorsDoc());
});

test('errors :: every code raised in src/ is catalogued', () => {
  const raised = new Set<string>();
  for (const m of TEXT.matchAll(/code: '([A-Z_]+)'/g)) raised.add(m[1]!);
  for (const m of TEXT.matchAll(/new FyrError\('([A-Z_]+)'/g)) raised.add(m[1]!);
  for (const m of TEXT.matchAll(/: '(SCHEMA_[A-Z_]+)'/g)) raised.add(m[1]!);
  for (const m of TEXT.matchAll(/'((?:YAML|FILE)_[A-Z_]+)'/g)) raised.add(m[1]!);
  for (const m of TEXT.matchAll(/'(CONTENT_[A-Z0-9_]+)'/g)) raised.add(m[1]!);
  assert.ok(raised.size > 30, `found ${raised.size} codes in src/`);
  for (const code of raised) assert.ok(code in PROBLEM_CODES || code in ERROR_CODES, `${code} is raised but not in a catalogue`);
});

test('errors :: every catalogued code is raised somewhere', () => {
  for (const code of [...Object.keys(PROBLEM_CODES), ...Object.keys(ERROR_CODES)]) {
    if (code === 'INTERNAL') continue; // the boundary's fallback for anything uncatalogued
    assert.ok(TEXT.includes(`'${code}'`), `${code} is documented but never raised`);
  }
});

test('errors :: the docs name no code that does not exist', () => {
  const documented = [...readFileSync('docs/errors.md', 'utf8').matchAll(/^\| <a id="[a-z0-9_]+"><\/a>`([A-Z0-9_]+)`/gm)].map((m) => m[1]!);
  assert.equal(documented.sort(), [...Object.keys(ERROR_CODES), ...Object.keys(PROBLEM_CODES)].sort());
});

test.run();
