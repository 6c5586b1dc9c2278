// Files derived from the code must be regenerated (make docs) whenever their source changes.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GENERATED } from './tools/gen-schema.js';

for (const [path, render] of Object.entries(GENERATED)) {
  test(`generated :: ${path} is up to date (run make docs)`, () => {
    assert.fixture(readFileSync(path, 'utf8'), render());
  });
}

// The generated validators are why fyr never compiles a schema: ajv's compiler is not even
// loaded (Node's module log of dist/'s fyr validate names no file of it).
test('generated :: fyr validate runs the generated validators; ajv is never loaded', async () => {
  const r = await execa(process.execPath, ['dist/cli/main.js', 'validate', 'examples/edge/site.yaml'], {
    env: { NODE_DEBUG: 'module' },
  });
  assert.match(r.stdout, /is valid/);
  assert.match(r.stderr, /node_modules\/yaml\//, "the module log is on (it names yaml's files)");
  assert.not.match(r.stderr, /node_modules\/ajv\//);
});

test('generated :: every example points its editor at a schema that exists', () => {
  for (const dir of ['edge', 'ipmi-nat', 'single-node', 'init']) {
    for (const [file, schema] of [
      ['site.yaml', 'site.schema.json'],
      ['secrets.yaml', 'secrets.schema.json'],
    ] as const) {
      const first = readFileSync(`examples/${dir}/${file}`, 'utf8').split('\n')[0];
      assert.is(first, `# yaml-language-server: $schema=../../docs/schema/${schema}`, `examples/${dir}/${file}`);
    }
  }
});

// The README is the entry point, docs/ the rest; no document points outside the repository.
test('docs :: the README stays short and every relative link resolves inside the repository', () => {
  assert.ok(readFileSync('README.md', 'utf8').split('\n').length < 250, 'README.md is 250 lines or more');
  const pages = [
    'README.md',
    'test/fixtures/INDEX.md',
    'test/doubles/README.md',
    ...readdirSync('docs')
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
    ...readdirSync('docs/cmd').map((f) => `docs/cmd/${f}`),
  ];
  for (const page of pages) {
    for (const [, target] of readFileSync(page, 'utf8').matchAll(/\]\(([^)#\s]+)[^)]*\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      const path = normalize(join(dirname(page), target!));
      assert.ok(!path.startsWith('..'), `${page} links outside the repository: ${target}`);
      assert.ok(existsSync(path), `${page} links to ${target}, which does not exist`);
    }
  }
});

test.run();
