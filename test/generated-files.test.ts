// Files derived from the code must be regenerated (make docs) whenever their source changes.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GENERATED } from './tools/gen-schema.js';

for (const [path, render] of Object.entries(GENERATED)) {
  test(`generated :: ${path} is up to date (run make docs)`, () => {
    assert.fixture(readFileSync(path, 'utf8'), render());
  });
}

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

test.run();
