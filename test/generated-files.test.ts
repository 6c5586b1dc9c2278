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
// loaded. fyr is a bundle (make build); esbuild names each package file it took in a comment,
// so the chunks fyr validate loads must name none of ajv's compiler. Another command's chunk has
// it (fastify's own validation, in the composer proxy): the mark is there to be found.
test('generated :: fyr validate runs the generated validators; ajv is never loaded', async () => {
  const r = await execa(
    process.execPath,
    ['--import', './test/helpers/module-log.mjs', 'dist/cli/main.js', 'validate', 'examples/edge/site.yaml'],
    { env: { NO_COLOR: '1' } },
  );
  assert.match(r.stdout, /is valid/);
  const loaded = [...r.stderr.matchAll(/^fyr-loaded: file:\/\/(.+)$/gm)].map((m) => m[1]!);
  assert.ok(loaded.length > 1, `the module log is on: ${r.stderr}`);
  const compiler = '// node_modules/ajv/dist/compile/index.js';
  const chunks = readdirSync('dist/cli').map((f) => readFileSync(join('dist/cli', f), 'utf8'));
  assert.ok(
    chunks.some((text) => text.includes(compiler)),
    "some chunk of dist/cli names ajv's compiler (the mark is right)",
  );
  for (const file of loaded) assert.not.ok(readFileSync(file, 'utf8').includes(compiler), `${file} has ajv's compiler`);
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
