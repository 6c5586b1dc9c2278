// What fyr build, customize and flash check before and while they write: the site's OpenShift
// version against the release's, a flash to a regular file that is all or nothing (Ctrl-C; a
// full disk is in device/flash.test.ts, which may mount), and an output directory that does not
// exist, named as the user gave it.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isFyrError } from '../../src/errors.js';
import { checkTarget, flashImage } from '../../src/device/flash.js';
import { ISO_FIXTURE_DIR } from '../tools/iso-fixtures.js';
import { runCli } from '../helpers/cli.js';
import { withTestRelease } from '../helpers/release.js';

const EDGE = 'examples/edge/site.yaml';
const ENV = { SOURCE_DATE_EPOCH: '1700000000' };

// The edge example with another cluster.openshiftVersion, beside its secrets file.
function edgeFor(dir: string, version: string): string {
  const site = join(dir, `edge-${version}.yaml`);
  const text = readFileSync(EDGE, 'utf8');
  assert.ok(text.includes('openshiftVersion: "4.16.3"'));
  writeFileSync(site, text.replace('openshiftVersion: "4.16.3"', `openshiftVersion: "${version}"`));
  copyFileSync('examples/edge/secrets.yaml', join(dir, 'secrets.yaml'));
  return site;
}

test('output-checks :: a site of another OpenShift version is refused by build, customize and flash --site, naming both; a minor matches', () =>
  withTestRelease('el9', async (dir, release) => {
    const out = join(dir, 'out');
    mkdirSync(out);
    const other = edgeFor(dir, '4.18');
    const mismatch = /is for OpenShift 4\.18, the release ISO carries 4\.16\.3 \(test-4\.16\.3\) \[VERSION_MISMATCH\]/;
    const build = await runCli(['build', other, '--release', release, '-o', join(out, 's.iso'), '--no-seal'], ENV);
    assert.is(build.code, 1, build.stderr);
    assert.match(build.stderr, mismatch);
    const customize = await runCli(['customize', release, '--site', other, '--no-seal'], ENV);
    assert.is(customize.code, 1, customize.stderr);
    assert.match(customize.stderr, mismatch);
    const flash = await runCli(['flash', release, join(out, 'stick.img'), '--site', other, '--yes', '--no-seal'], ENV);
    assert.is(flash.code, 1, flash.stderr);
    assert.match(flash.stderr, mismatch);
    const exact = await runCli(
      ['build', edgeFor(dir, '4.16.4'), '--release', release, '-o', join(out, 's.iso'), '--no-seal'],
      ENV,
    );
    assert.match(exact.stderr, /is for OpenShift 4\.16\.4, the release ISO carries 4\.16\.3/);
    assert.equal(readdirSync(out), []);

    const minor = edgeFor(dir, '4.16');
    const ok = await runCli(['build', minor, '--release', release, '-o', join(out, 's.iso'), '--no-seal'], ENV);
    assert.is(ok.code, 0, ok.stderr);
    const shown = await runCli(['inspect', join(out, 's.iso')]);
    assert.match(shown.stdout, /release {5}test-4\.16\.3 \(OpenShift 4\.16\.3/);
    assert.match(shown.stdout, /site {8}edge\.example\.com for OpenShift 4\.16,/);
  }));

test('output-checks :: flash to a regular file stopped halfway leaves neither the file nor a temporary', () =>
  withTestRelease('el9', async (dir, release) => {
    const out = join(dir, 'out');
    mkdirSync(out);
    const stick = join(out, 'stick.img');
    const stop = new AbortController();
    const err = await flashImage({
      image: release,
      target: await checkTarget(stick, 0),
      signal: stop.signal,
      onProgress: () => stop.abort(),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(isFyrError(err), String(err));
    assert.is(err.code, 'INTERRUPTED');
    assert.equal(readdirSync(out), []);
  }));

test('output-checks :: -o in a directory that does not exist names that directory, not a temporary name', () =>
  withTestRelease('el9', async (dir, release) => {
    const missing = join(dir, 'no-such-dir');
    const cases = [
      ['build', EDGE, '--release', release, '-o', join(missing, 'site.iso'), '--no-seal'],
      ['flash', release, join(missing, 'stick.img'), '--yes'],
      [
        'release',
        '--base',
        join(ISO_FIXTURE_DIR, 'el9.iso'),
        '--content',
        join(dir, 'content'),
        '-o',
        join(missing, 'r.iso'),
      ],
    ];
    for (const argv of cases) {
      const r = await runCli(argv, ENV);
      assert.is(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`the directory ${missing} does not exist \\[WRITE_FAILED\\]`), r.stderr);
      assert.not.match(r.stderr, /\.fyr-[0-9a-f]+\.tmp/);
    }
  }));

test.run();
