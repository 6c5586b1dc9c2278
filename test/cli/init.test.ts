// fyr init: writes a commented site and a private secrets file, never overwrites.
import { readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../helpers/cli.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const init = suite<{ dir?: string }>('init');
init.before.each(async (ctx) => {
  ctx.dir = await makeTmpdir();
});
init.after.each(async (ctx) => {
  await removeTmpdir(ctx.dir);
});

init('writes site.yaml and a 0600 secrets.yaml into a new directory', async (ctx) => {
  const dir = join(ctx.dir!, 'sites', 'oslo-1');
  const r = await runCli(['init', dir]);
  assert.is(r.code, 0);
  assert.match(r.stdout, `Wrote ${dir}/site.yaml and ${dir}/secrets.yaml.`);
  assert.is(statSync(join(dir, 'secrets.yaml')).mode & 0o777, 0o600);
  const first = readFileSync(join(dir, 'site.yaml'), 'utf8').split('\n')[0]!;
  const schemaPath = first.replace('# yaml-language-server: $schema=', '');
  assert.ok(existsSync(resolve(dir, schemaPath)), `schema comment resolves: ${schemaPath}`);
});

init('the new site is valid apart from the placeholders the user must replace', async (ctx) => {
  await runCli(['init', ctx.dir!]);
  const r = await runCli(['validate', join(ctx.dir!, 'site.yaml'), '--json']);
  assert.is(r.code, 3);
  const codes = new Set((JSON.parse(r.stdout).errors as Array<{ code: string }>).map((e) => e.code));
  assert.equal([...codes], ['SECRET_PLACEHOLDER']);
  const alone = await runCli(['validate', join(ctx.dir!, 'site.yaml'), '--no-secrets']);
  assert.is(alone.code, 0, alone.stderr);
});

init('refuses to overwrite and leaves both files untouched', async (ctx) => {
  writeFileSync(join(ctx.dir!, 'secrets.yaml'), 'mine: keep\n');
  const r = await runCli(['init', ctx.dir!]);
  assert.is(r.code, 1);
  assert.match(r.stderr, 'secrets.yaml already exists; fyr init never overwrites [INIT_EXISTS]');
  assert.is(readFileSync(join(ctx.dir!, 'secrets.yaml'), 'utf8'), 'mine: keep\n');
  assert.not.ok(existsSync(join(ctx.dir!, 'site.yaml')), 'site.yaml not written either');
});

init('--json reports the files written', async (ctx) => {
  const r = await runCli(['init', ctx.dir!, '--json']);
  assert.equal(JSON.parse(r.stdout), {
    ok: true,
    files: [join(ctx.dir!, 'site.yaml'), join(ctx.dir!, 'secrets.yaml')],
  });
});

init.run();
