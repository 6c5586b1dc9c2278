// The package users install: `npm pack` of this tree, installed into an empty prefix without
// dev dependencies, must run from there: its version, a render of an example it ships, and a
// whole fyr release, which needs the bundled first-boot agent and the boot-menu code. The
// package.json `files` list is the contract; this test is what holds it.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeContent } from '../helpers/content.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';
import { ISO_FIXTURE_DIR } from '../tools/iso-fixtures.js';

test('package :: npm pack, installed without dev dependencies, runs version, render and release', async () => {
  const dir = await makeTmpdir();
  try {
    const packed = await execa('npm', ['pack', '--json', '--pack-destination', dir], {
      env: { npm_config_loglevel: 'error' },
    });
    const { filename } = (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]!;
    const prefix = join(dir, 'prefix');
    // From npm's cache where it can (make test ran npm ci), else the registry.
    await execa('npm', [
      'install',
      '--omit=dev',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--prefix',
      prefix,
      join(dir, filename),
    ]);
    const installed = join(prefix, 'node_modules', 'fyr');
    assert.not.ok(existsSync(join(prefix, 'node_modules', 'typescript')), 'dev dependencies were installed');
    assert.not.ok(existsSync(join(installed, 'src')), 'the package ships src/');
    assert.not.ok(existsSync(join(installed, 'test')), 'the package ships test/');
    const fyr = (args: string[]) =>
      execa(join(prefix, 'node_modules', '.bin', 'fyr'), args, { cwd: dir, reject: false, env: { NO_COLOR: '1' } });

    const version = await fyr(['--version']);
    assert.is(version.exitCode, 0, version.stderr);
    assert.match(version.stdout, /^fyr 0\.\d+\.\d+/);

    // Sealed: age-encryption is a runtime dependency of the installed package.
    const render = await fyr([
      'render',
      join(installed, 'examples/edge/site.yaml'),
      '-o',
      join(dir, 'render'),
      '--unlock-code-file',
      join(process.cwd(), 'test/fixtures/unlock-code.txt'),
    ]);
    assert.is(render.exitCode, 0, render.stderr);
    assert.ok(readdirSync(join(dir, 'render')).includes('ks.cfg'));
    assert.ok(readdirSync(join(dir, 'render/bundle/etc/fyr')).includes('secrets.age'));

    await makeContent(join(dir, 'content'));
    const release = await fyr([
      'release',
      '--base',
      join(process.cwd(), ISO_FIXTURE_DIR, 'el9.iso'),
      '--content',
      join(dir, 'content'),
      '-o',
      join(dir, 'release.iso'),
      '--json',
    ]);
    assert.is(release.exitCode, 0, release.stdout + release.stderr);
    const info = JSON.parse(release.stdout).release;
    assert.is(info.agent.path, '/fyr/agent/fyr-agent.mjs');
    assert.is(info.agent.version, JSON.parse(await execa('npm', ['pkg', 'get', 'version']).then((r) => r.stdout)));
  } finally {
    await removeTmpdir(dir);
  }
});

test.run();
