// The package users install: `npm pack` of this tree, installed the way docs/install.md says,
// `make install-tool PREFIX=DIR` (npm install --global of the packed tarball, no dev
// dependencies), must run from DIR/bin on PATH: its version, a render of an example it ships,
// and a whole fyr release, which needs the bundled first-boot agent and the boot-menu code. The
// package.json `files` list is the contract; this test is what holds it.
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeContent } from '../helpers/content.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';
import { ISO_FIXTURE_DIR } from '../tools/iso-fixtures.js';

test('package :: the packed tarball carries the CLI, the agent bundle and the templates, not the sources', async () => {
  const packed = await execa('npm', ['pack', '--dry-run', '--json'], { env: { npm_config_loglevel: 'error' } });
  const files = (JSON.parse(packed.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
  for (const wanted of [
    'dist/cli/main.js',
    'dist/agent/fyr-agent.mjs',
    'kickstart/ks.cfg.ejs',
    'examples/edge/site.yaml',
    'docs/install.md',
  ])
    assert.ok(files.includes(wanted), `${wanted} is not in the package`);
  assert.not.ok(
    files.some((f) => f.startsWith('src/') || f.startsWith('test/')),
    'the package ships src/ or test/',
  );
});

test('package :: make install-tool PREFIX=DIR puts fyr on PATH: version, render and release run from there', async () => {
  const dir = await makeTmpdir();
  try {
    const prefix = join(dir, 'prefix');
    // npm install --global from npm's cache where it can (make test ran npm ci), else the registry.
    await execa('make', ['--no-print-directory', 'install-tool', `PREFIX=${prefix}`], {
      env: { npm_config_loglevel: 'error' },
    });
    const installed = join(prefix, 'lib', 'node_modules', 'fyr');
    assert.ok(lstatSync(join(prefix, 'bin', 'fyr')).isSymbolicLink(), 'no fyr in PREFIX/bin');
    assert.ok(existsSync(join(installed, 'dist/agent/fyr-agent.mjs')), 'the agent bundle was not installed');
    assert.not.ok(existsSync(join(installed, 'node_modules', 'typescript')), 'dev dependencies were installed');
    assert.not.ok(existsSync(join(installed, 'src')), 'the package ships src/');
    assert.not.ok(existsSync(join(installed, 'test')), 'the package ships test/');
    // `fyr` by name, from PATH, in a directory outside the tree.
    const fyr = (args: string[]) =>
      execa('fyr', args, {
        cwd: dir,
        reject: false,
        env: { NO_COLOR: '1', PATH: `${join(prefix, 'bin')}:${process.env.PATH}` },
      });

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
    assert.ok(info.agent.size > 100_000, 'the agent in the release is not the bundle');
    assert.is(info.agent.version, JSON.parse(await execa('npm', ['pkg', 'get', 'version']).then((r) => r.stdout)));
  } finally {
    await removeTmpdir(dir);
  }
});

test.run();
