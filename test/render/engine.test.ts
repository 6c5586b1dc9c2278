// The template engine refuses unquoted values and raw output, naming the template and line.
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { renderTemplate } from '../../src/render/engine.js';
import { isFyrError } from '../../src/errors.js';
import { PACKAGE_ROOT } from '../../src/util/package-info.js';

// Scratch templates live in overlays/ (the engine only reads its template roots) and are removed.
const engine = suite<{ dir?: string; name: string }>('render :: engine', { name: '' });
engine.before.each(async (ctx) => {
  await mkdir(join(PACKAGE_ROOT, 'overlays'), { recursive: true });
  ctx.dir = await mkdtemp(join(PACKAGE_ROOT, 'overlays', '.engine-test-'));
});
engine.after.each(async (ctx) => {
  if (ctx.dir) await rm(ctx.dir, { recursive: true, force: true });
});

async function template(ctx: { dir?: string }, name: string, body: string): Promise<string> {
  const file = join(ctx.dir ?? '', name);
  await writeFile(file, body);
  return relative(join(PACKAGE_ROOT, 'overlays'), file);
}

function failsWith(fn: () => unknown, code: string, pattern: RegExp, hidden?: string): void {
  try {
    fn();
  } catch (err) {
    assert.ok(isFyrError(err), String(err));
    assert.is((err as { code: string }).code, code);
    assert.match((err as Error).message, pattern);
    // The value may be a secret: messages never show it.
    if (hidden !== undefined) assert.not.match((err as Error).message, hidden);
    return;
  }
  assert.unreachable('should have thrown');
}

engine('quoted values and numbers print', async (ctx) => {
  const name = await template(ctx, 'ok.ejs', 'name <%= q.dhcp(it.v) %>; port <%= it.n %>;\n');
  assert.is(renderTemplate('overlays', name, { v: 'cp-0', n: 6443 }), 'name "cp-0"; port 6443;\n');
});
engine('a plain string in <%= %> is refused, with template and line', async (ctx) => {
  const name = await template(ctx, 'raw.ejs', 'line one\nname <%= it.v %>;\n');
  failsWith(
    () => renderTemplate('overlays', name, { v: 's3cret-value' }),
    'RENDER_TEMPLATE',
    /raw\.ejs:2[\s\S]*quote it with a q\.\* helper/,
    's3cret-value',
  );
});
engine('<%- (raw output) is refused outright', async (ctx) => {
  const name = await template(ctx, 'unescaped.ejs', 'name <%- it.v %>;\n');
  failsWith(() => renderTemplate('overlays', name, { v: 'cp-0' }), 'RENDER_TEMPLATE', /may not use <%-/);
});
engine('a value a helper refuses names the format', async (ctx) => {
  const name = await template(ctx, 'unsafe.ejs', 'x <%= q.word(it.v) %>\n');
  failsWith(
    () => renderTemplate('overlays', name, { v: 'two words' }),
    'RENDER_TEMPLATE',
    /cannot be written safely[\s\S]*configuration word/,
    'two words',
  );
});
engine.run();
