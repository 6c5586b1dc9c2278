// fyr render from the command line: what it writes, what it refuses, what it prints.
import { readdir, readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, UNLOCK } from '../helpers/cli.js';
import { exampleSite } from '../helpers/render.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const render = suite<{ dir: string }>('cli :: render', { dir: '' });
render.before.each(async (ctx) => {
  ctx.dir = await makeTmpdir();
});
render.after.each(async (ctx) => removeTmpdir(ctx.dir));

const mode = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);

render('writes the kickstart, blueprint, bundle and manifest, with their modes', async ({ dir }) => {
  const out = join(dir, 'out');
  const r = await runCli(['render', exampleSite('edge'), '-o', out, ...UNLOCK]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, `rendered ${exampleSite('edge')} into ${out}`);
  assert.match(r.stdout, /blueprint fyr-bastion-rhel9 sha256:[0-9a-f]{64}/);
  assert.match(r.stdout, 'bundle/etc/dhcp/dhcpd.conf');
  assert.match(r.stdout, 'bundle/etc/fyr/secrets.age (the secrets, sealed to the unlock code)');
  assert.is(await mode(join(out, 'bundle/etc/fyr/secrets.age')), '600');
  assert.is(await mode(join(out, 'ks.cfg')), '600');
  assert.is(await mode(join(out, 'bundle/etc/NetworkManager/system-connections/fyr-wan.nmconnection')), '600');
  assert.is(await mode(join(out, 'bundle/etc/haproxy/haproxy.cfg')), '644');
  const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
  assert.is(manifest.os, 'rhel9');
  assert.ok(manifest.files.some((f: { path: string; mode: string }) => f.path === 'ks.cfg' && f.mode === '0600'));
  // Nothing temporary is left next to the output.
  assert.equal((await readdir(dir)).sort(), ['out']);
});

render('--json gives the file list and blueprint hash; --os and --source choose the kickstart', async ({ dir }) => {
  const out = join(dir, 'out');
  const r = await runCli([
    'render',
    exampleSite('ipmi-nat'),
    '-o',
    out,
    '--os',
    'rhel10',
    '--source',
    'dvd',
    '--json',
    ...UNLOCK,
  ]);
  assert.is(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.is(doc.ok, true);
  assert.is(doc.os, 'rhel10');
  assert.is(doc.source, 'dvd');
  assert.match(doc.blueprint.sha256, /^[0-9a-f]{64}$/);
  assert.ok(doc.files.find((f: { path: string }) => f.path === 'bundle/etc/named.conf'));
  assert.match(await readFile(join(out, 'ks.cfg'), 'utf8'), 'url --url=file:///run/install/repo/BaseOS');
});

render('refuses a non-empty directory without --force and leaves it alone', async ({ dir }) => {
  const out = join(dir, 'out');
  await mkdir(out);
  await writeFile(join(out, 'keep.txt'), 'mine');
  const r = await runCli(['render', exampleSite('edge'), '-o', out, ...UNLOCK]);
  assert.is(r.code, 1);
  assert.match(r.stderr, 'not an empty directory; pass --force to replace it [RENDER_EXISTS]');
  assert.equal(await readdir(out), ['keep.txt']);
  const forced = await runCli(['render', exampleSite('edge'), '-o', out, '--force', ...UNLOCK]);
  assert.is(forced.code, 0, forced.stderr);
  assert.ok((await readdir(out)).includes('ks.cfg'));
  assert.not.ok((await readdir(out)).includes('keep.txt'));
  assert.equal((await readdir(dir)).sort(), ['out']);
});

render('an invalid site writes nothing and exits 3', async ({ dir }) => {
  const out = join(dir, 'out');
  const r = await runCli(['render', 'test/fixtures/sites/invalid/install-disk-unresolved.yaml', '-o', out]);
  assert.is(r.code, 3);
  assert.match(r.stderr, 'INSTALL_DISK_UNRESOLVED');
  assert.equal(await readdir(dir), []);
});

render('usage errors: missing -o, unknown --os', async ({ dir }) => {
  const noOut = await runCli(['render', exampleSite('edge')]);
  assert.is(noOut.code, 2);
  assert.match(noOut.stderr, 'missing -o DIR');
  const badOs = await runCli(['render', exampleSite('edge'), '-o', join(dir, 'out'), '--os', 'rhel8']);
  assert.is(badOs.code, 2);
  assert.match(badOs.stderr, '--os rhel8: expected rhel9 or rhel10');
  assert.equal(await readdir(dir), []);
});

render.run();
