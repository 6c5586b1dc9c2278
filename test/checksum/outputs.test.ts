// fyr release and build write NAME.sha256 beside their output that the real sha256sum -c
// accepts in the output's directory; --no-checksum writes none, and a build stopped halfway
// leaves neither the output nor its checksum.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildSiteIso } from '../../src/site-iso/build.js';
import { runCli } from '../helpers/cli.js';
import { makeContent } from '../helpers/content.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';
import { ISO_FIXTURE_DIR } from '../tools/iso-fixtures.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('outputs :: fyr release and build write NAME.sha256 that sha256sum -c accepts; --no-checksum and a stopped build none', async () => {
  const dir = await makeTmpdir();
  try {
    await makeContent(join(dir, 'content'));
    const env = { SOURCE_DATE_EPOCH: '1700000000' };
    const base = join(ISO_FIXTURE_DIR, 'el9.iso');
    const release = await runCli(
      ['release', '--base', base, '--content', join(dir, 'content'), '-o', join(dir, 'release.iso'), '--json'],
      env,
    );
    assert.is(release.code, 0, release.stderr);
    const releaseSum = JSON.parse(release.stdout).sha256;
    assert.is(releaseSum, sha256(readFileSync(join(dir, 'release.iso'))));
    const build = await runCli(
      [
        'build',
        'examples/edge/site.yaml',
        '--release',
        join(dir, 'release.iso'),
        '-o',
        join(dir, 'edge.iso'),
        '-q',
        '--no-seal',
      ],
      env,
    );
    assert.is(build.code, 0, build.stderr);
    const check = await execa('sha256sum', ['-c', 'release.iso.sha256', 'edge.iso.sha256'], {
      cwd: dir,
      reject: false,
      all: true,
    });
    assert.is(check.exitCode, 0, check.all);
    assert.is(check.stdout, 'release.iso: OK\nedge.iso: OK');
    const none = await runCli(
      [
        'build',
        'examples/edge/site.yaml',
        '--release',
        join(dir, 'release.iso'),
        '-o',
        join(dir, 'plain.iso'),
        '-q',
        '--no-seal',
        '--no-checksum',
      ],
      env,
    );
    assert.is(none.code, 0, none.stderr);
    // Stopped while copying: neither the output nor its checksum.
    const stop = new AbortController();
    await buildSiteIso({
      release: join(dir, 'release.iso'),
      output: join(dir, 'stopped.iso'),
      content: { kickstart: '# ks\n', tar: Buffer.alloc(0) },
      sha256: true,
      signal: stop.signal,
      onProgress: () => stop.abort(),
    }).then(
      () => assert.unreachable('a stopped build published its output'),
      (err: { code: string }) => assert.is(err.code, 'INTERRUPTED'),
    );
    assert.equal(readdirSync(dir).sort(), [
      'content',
      'edge.iso',
      'edge.iso.sha256',
      'plain.iso',
      'release.iso',
      'release.iso.md5state.json',
      'release.iso.sha256',
    ]);
  } finally {
    await removeTmpdir(dir);
  }
});

test.run();
