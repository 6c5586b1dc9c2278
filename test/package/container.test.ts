// The CI container image: the repository's Containerfile built by the real podman (buildah's
// chroot isolation: no daemon, no cgroup set-up, as this machine allows), then fyr run inside an
// image built on top of it: its version and help, the programs it calls on PATH, a whole fyr
// release from the RHEL 9-layout fixture and checkisomd5 of the result.
// NOTE: the Containerfile's base, node:20-bookworm-slim, is on Docker Hub, which this machine
// cannot reach. The stand-in is the same two parts made here: Debian 12 (debootstrap, minbase,
// from Debian's mirror) and this machine's Node.js 20 with npm in /usr/local, as the node
// image keeps them (with the CA this machine's npm trusts, where it names one). It holds none
// of fyr's programs: scripts/container-install.sh must install them all, or the build fails.
// It is kept in podman's storage under out/container/ (make clean removes it) and made again
// when this machine's Node.js changes.
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeContent } from '../helpers/content.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';
import { ISO_FIXTURE_DIR } from '../tools/iso-fixtures.js';

const STORAGE = resolve('out/container/storage');
// podman records its run directory with the storage: one for both, beside it.
const RUNROOT = resolve('out/container/run');
const BASE = `localhost/fyr-test-base:bookworm-node${process.versions.node}`;

// podman with its own storage (vfs: works nested, needs no overlay mount); its temporary
// files in the test's directory.
const podman = (tmp: string, args: string[]) =>
  execa(
    'podman',
    ['--root', STORAGE, '--runroot', RUNROOT, '--storage-driver', 'vfs', '--cgroup-manager', 'cgroupfs', ...args],
    { env: { TMPDIR: tmp }, reject: false, all: true },
  );

async function ensureBase(dir: string, tmp: string): Promise<void> {
  if ((await podman(tmp, ['image', 'exists', BASE])).exitCode === 0) return;
  const root = join(dir, 'rootfs');
  await execa('debootstrap', ['--variant=minbase', 'bookworm', root, 'http://deb.debian.org/debian']);
  // Node.js and npm where the node image has them: /usr/local/bin, /usr/local/lib/node_modules.
  const npm = dirname(dirname(realpathSync((await execa('which', ['npm'])).stdout)));
  mkdirSync(join(root, 'usr/local/lib/node_modules'), { recursive: true });
  copyFileSync(process.execPath, join(root, 'usr/local/bin/node'));
  cpSync(npm, join(root, 'usr/local/lib/node_modules/npm'), { recursive: true });
  symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(root, 'usr/local/bin/npm'));
  // And this machine's trust for the npm registry, where its npm has one (a TLS proxy's CA):
  // npm in the image reads /usr/local/etc/npmrc, its global configuration.
  const cafile = (await execa('npm', ['config', 'get', 'cafile'])).stdout.trim();
  if (cafile !== '' && cafile !== 'null' && cafile !== 'undefined') {
    mkdirSync(join(root, 'usr/local/etc'), { recursive: true });
    copyFileSync(cafile, join(root, 'usr/local/etc/machine-ca.crt'));
    writeFileSync(join(root, 'usr/local/etc/npmrc'), 'cafile=/usr/local/etc/machine-ca.crt\n');
  }
  const tar = join(dir, 'rootfs.tar');
  await execa('tar', ['-C', root, '--numeric-owner', '-cf', tar, '.']);
  const imported = await podman(tmp, ['import', tar, BASE]);
  assert.is(imported.exitCode, 0, imported.all);
  rmSync(root, { recursive: true, force: true });
  rmSync(tar, { force: true });
}

test('package :: the Containerfile builds with podman; fyr, its programs and a release run in the image', async () => {
  const dir = await makeTmpdir();
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  const image = `localhost/fyr-test:${process.pid}`;
  const smoke = `${image}-smoke`;
  try {
    await ensureBase(dir, tmp);
    // The build context as the Containerfile wants it at the repository's root.
    const ctx = join(dir, 'context');
    mkdirSync(join(ctx, 'scripts'), { recursive: true });
    mkdirSync(join(ctx, 'out/pack'), { recursive: true });
    copyFileSync('Containerfile', join(ctx, 'Containerfile'));
    copyFileSync('scripts/container-install.sh', join(ctx, 'scripts/container-install.sh'));
    await execa('npm', ['pack', '--pack-destination', join(ctx, 'out/pack')], {
      env: { npm_config_loglevel: 'error' },
    });
    const [tarball] = readdirSync(join(ctx, 'out/pack'));
    renameSync(join(ctx, 'out/pack', tarball!), join(ctx, 'out/pack/fyr.tgz'));
    const built = await podman(tmp, [
      'build',
      '--isolation',
      'chroot',
      '--network',
      'host',
      '--layers=false',
      '--build-arg',
      `BASE=${BASE}`,
      '-t',
      image,
      '-f',
      join(ctx, 'Containerfile'),
      ctx,
    ]);
    assert.is(built.exitCode, 0, built.all);
    assert.match(built.all, /container-install: installing .*docker-registry.*xorriso/);
    assert.match(built.all, /container-install: ok \(node v20\./);

    // An image on top of it runs what a CI job would (the ENTRYPOINT is fyr; RUN takes a shell).
    const job = join(dir, 'job');
    mkdirSync(job);
    copyFileSync(join(ISO_FIXTURE_DIR, 'el9.iso'), join(job, 'el9.iso'));
    await makeContent(join(job, 'content'));
    const steps = [
      'set -e',
      'echo "SMOKE version: $(fyr --version)"',
      'fyr release --help | head -1',
      'for p in xorriso mcopy checkisomd5 gpg skopeo docker-registry; do echo "SMOKE $p: $(command -v $p)"; done',
      'fyr release --base /job/el9.iso --content /job/content -o /job/release.iso --quiet',
      'fyr inspect /job/release.iso --verify > /dev/null',
      'checkisomd5 /job/release.iso',
      'echo SMOKE done',
    ];
    const file = join(job, 'Containerfile');
    writeFileSync(file, `FROM ${image}\nCOPY . /job\nRUN ${steps.join(' && ')}\n`);
    const ran = await podman(tmp, ['build', '--isolation', 'chroot', '--layers=false', '-t', smoke, '-f', file, job]);
    assert.is(ran.exitCode, 0, ran.all);
    assert.match(ran.all, /SMOKE version: fyr 0\.\d+\.\d+/);
    assert.match(ran.all, /Usage: fyr release/);
    for (const p of ['xorriso', 'mcopy', 'checkisomd5', 'gpg', 'skopeo', 'docker-registry'])
      assert.match(ran.all, new RegExp(`SMOKE ${p}: /usr/s?bin/${p}`));
    assert.match(ran.all, /The media check is complete, the result is: PASS/);
    assert.match(ran.all, /SMOKE done/);
  } finally {
    await podman(tmp, ['rmi', '--force', smoke, image]);
    await removeTmpdir(dir);
  }
});

test.run();
