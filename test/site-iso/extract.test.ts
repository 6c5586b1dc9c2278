// fyr inspect --extract pulls the site back out of a site ISO: the kickstart byte for byte as
// fyr render writes it, and the bundle's files as the site area holds them.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../helpers/cli.js';
import { withTestRelease } from '../helpers/release.js';

const EDGE = 'examples/edge/site.yaml';
const ENV = { SOURCE_DATE_EPOCH: '1700000000' };
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('extract :: the kickstart and the bundle come back out as fyr render writes them', () =>
  withTestRelease('el9', async (dir, release) => {
    const none = await runCli(['inspect', release, '--extract', 'ks.cfg']);
    assert.is(none.code, 1);
    assert.match(none.stderr, /carries no site yet \(fyr build or fyr customize puts one in\) \[RELEASE_INVALID\]/);

    const iso = join(dir, 'site.iso');
    const built = await runCli(['build', EDGE, '--release', release, '-o', iso, '--no-seal', '--quiet'], ENV);
    assert.is(built.code, 0, built.stderr);
    const rendered = join(dir, 'render');
    assert.is((await runCli(['render', EDGE, '-o', rendered, '--no-seal', '--quiet'])).code, 0);

    const ks = await runCli(['inspect', iso, '--extract', 'ks.cfg']);
    assert.is(ks.code, 0, ks.stderr);
    assert.is(ks.stdout, readFileSync(join(rendered, 'ks.cfg'), 'utf8'));
    const ksFile = join(dir, 'ks.cfg');
    assert.is((await runCli(['inspect', iso, '--extract', 'ks.cfg', '-o', ksFile])).code, 0);
    assert.equal(readFileSync(ksFile), readFileSync(join(rendered, 'ks.cfg')));
    assert.is(statSync(ksFile).mode & 0o777, 0o600);

    const out = join(dir, 'extracted');
    const bundle = await runCli(['inspect', iso, '--extract', 'bundle', '-o', out]);
    assert.is(bundle.code, 0, bundle.stderr);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      files: Array<{ path: string; sha256: string }>;
    };
    assert.ok(manifest.files.length > 10);
    for (const f of manifest.files.filter((e) => e.path !== 'ks.cfg'))
      assert.is(sha256(readFileSync(join(out, f.path))), f.sha256, f.path);
    assert.ok(readdirSync(out).includes('bundle'));
    const again = await runCli(['inspect', iso, '--extract', 'bundle', '-o', out]);
    assert.is(again.code, 1);
    assert.match(again.stderr, /\[OUTPUT_EXISTS\]/);
    assert.match((await runCli(['inspect', iso, '--extract', 'bundle'])).stderr, /--extract bundle needs -o DIR/);
  }));

test.run();
