// Renders of the example sites equal the reviewed files under test/golden/ byte for byte, and
// rendering twice gives the same bytes. `make golden` rewrites the golden files.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GOLDEN_RENDERS, exampleSite, renderFile, renderTo } from '../helpers/render.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map(async (e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)])),
  );
  return nested.flat();
}

const golden = suite('render :: golden');
for (const { dir, example, options } of GOLDEN_RENDERS) {
  golden(`${dir} matches test/golden/${dir} (run make golden after a deliberate change)`, async () => {
    const root = join('test/golden', dir);
    const result = await renderFile(exampleSite(example), options);
    const expected = (await walk(root)).map((f) => relative(root, f).split('\\').join('/')).sort();
    assert.equal(result.files.map((f) => f.path).sort(), expected, 'the same set of files');
    for (const file of result.files) {
      const path = join(root, file.path);
      // Modes are compared through manifest.json: git does not keep 0600.
      assert.fixture(file.content, await readFile(path, 'utf8'), file.path);
    }
  });
}
golden.run();

// ---

const reproducible = suite<{ dir?: string }>('render :: reproducible');
reproducible.after(async (ctx) => removeTmpdir(ctx.dir));
reproducible('two renders of the same site write identical trees', async (ctx) => {
  ctx.dir = await makeTmpdir();
  const a = await renderTo(exampleSite('ipmi-nat'), join(ctx.dir, 'a'));
  const b = await renderTo(exampleSite('ipmi-nat'), join(ctx.dir, 'b'));
  const files = await walk(a.out);
  assert.ok(files.length > 30);
  for (const file of files) {
    const rel = relative(a.out, file);
    assert.ok((await readFile(file)).equals(await readFile(join(b.out, rel))), rel);
  }
  assert.equal((await walk(b.out)).length, files.length);
});
reproducible('the manifest lists every file with its sha256', async () => {
  const result = await renderFile(exampleSite('edge'));
  const manifest = JSON.parse(result.files.find((f) => f.path === 'manifest.json')?.content ?? '{}');
  const { createHash } = await import('node:crypto');
  assert.is(manifest.files.length, result.files.length - 1);
  for (const entry of manifest.files) {
    const file = result.files.find((f) => f.path === entry.path);
    assert.ok(file, entry.path);
    assert.is(entry.sha256, createHash('sha256').update(file.content).digest('hex'));
  }
  assert.is(manifest.blueprint.sha256, result.blueprint.sha256);
});
reproducible.run();
