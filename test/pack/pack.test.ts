// Sealed site packs: made by fyr build --pack from a copy of the edge example, spliced by fyr
// flash (to a regular file) and fyr customize after the site and its secrets are gone; the
// result is fyr build's site ISO byte for byte (unsealed: a seal is new each time), a sealed
// pack needs no code, and a pack for another release or a damaged one is refused, writing nothing.
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, readdirSync, readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parsePack } from '../../src/formats/site-pack.js';
import { unpackSite } from '../../src/formats/site-bundle.js';
import { unseal } from '../../src/seal/age.js';
import { runCli, UNLOCK, UNLOCK_CODE_FILE } from '../helpers/cli.js';
import { readIsoFile } from '../helpers/iso.js';
import { makeTestRelease } from '../helpers/release.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const ENV = { SOURCE_DATE_EPOCH: '1700000000' };
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

const ctx: { dir: string; release: string } = { dir: '', release: '' };

test.before(async () => {
  ctx.dir = await makeTmpdir();
  ctx.release = (await makeTestRelease(ctx.dir)).release;
});
test.after(() => removeTmpdir(ctx.dir));

// A copy of the edge example in its own directory, gone (site and secrets) after `fn`.
function siteCopy(name: string): string {
  const dir = join(ctx.dir, name);
  cpSync('examples/edge', dir, { recursive: true });
  return join(dir, 'site.yaml');
}

async function makePack(out: string, ...extra: string[]) {
  const site = siteCopy(`site-${out}`);
  const path = join(ctx.dir, out);
  const r = await runCli(['build', site, '--release', ctx.release, '--pack', '-o', path, ...extra], ENV);
  assert.is(r.code, 0, r.stderr);
  rmSync(join(ctx.dir, `site-${out}`), { recursive: true });
  return { path, result: r };
}

test('pack :: unsealed: flash and customize with the pack give fyr build of the site byte for byte', async () => {
  const { path } = await makePack('clear.fyrsite', '--no-seal', '-q');
  assert.ok(readFileSync(path).length < 256 * 1024, 'a pack is kilobytes');
  const again = await makePack('clear-again.fyrsite', '--no-seal', '-q');
  assert.is(sha256(again.path), sha256(path), 'same site, release and SOURCE_DATE_EPOCH: same pack');
  const built = join(ctx.dir, 'built.iso');
  const b = await runCli(
    ['build', 'examples/edge/site.yaml', '--release', ctx.release, '-o', built, '-q', '--no-seal'],
    ENV,
  );
  assert.is(b.code, 0, b.stderr);

  const stick = join(ctx.dir, 'stick.img');
  const flashed = await runCli(['flash', ctx.release, stick, '--site', path, '--yes', '--json'], ENV);
  assert.is(flashed.code, 0, flashed.stderr);
  assert.is(JSON.parse(flashed.stdout).site.cluster, 'edge.example.com');
  assert.is(sha256(stick), sha256(built), 'flash --site PACK = fyr build');

  const copy = join(ctx.dir, 'customized.iso');
  copyFileSync(ctx.release, copy);
  const customized = await runCli(['customize', copy, '--site', path, '-q'], ENV);
  assert.is(customized.code, 0, customized.stderr);
  assert.is(sha256(copy), sha256(built), 'customize --site PACK = fyr build');
  // Over a site ISO of another site too.
  const other = join(ctx.dir, 'other.iso');
  const sno = await runCli(
    ['build', 'examples/single-node/site.yaml', '--release', ctx.release, '-o', other, '-q', '--no-seal'],
    ENV,
  );
  assert.is(sno.code, 0, sno.stderr);
  assert.is((await runCli(['customize', other, '--site', path, '-q'], ENV)).code, 0);
  assert.is(sha256(other), sha256(built));
  const check = await execa('checkisomd5', [other], { reject: false, all: true });
  assert.is(check.exitCode, 0, check.all);
});

test('pack :: sealed: spliced with no site, secrets file or code; the tech’s code opens it', async () => {
  const { path, result } = await makePack('sealed.fyrsite', ...UNLOCK);
  assert.match(result.stdout, 'sealed to the unlock code: the field needs no secrets file and no code');
  // The pack and its checksum, checked by the standard tool in their directory.
  const sum = await execa('sha256sum', ['-c', 'sealed.fyrsite.sha256'], { cwd: ctx.dir, reject: false, all: true });
  assert.is(sum.exitCode, 0, sum.all);
  assert.is(sum.stdout, 'sealed.fyrsite: OK');
  const listing = await execa('tar', ['tf', path]);
  assert.equal(listing.stdout.split('\n'), ['fyr-site-pack.json', 'ks.cfg', 'site.tar']);

  const stick = join(ctx.dir, 'sealed-stick.img');
  const flashed = await runCli(['flash', ctx.release, stick, '--site', path, '--yes'], {});
  assert.is(flashed.code, 0, flashed.stderr);
  const copy = join(ctx.dir, 'sealed-customized.iso');
  copyFileSync(ctx.release, copy);
  const customized = await runCli(['customize', copy, '--site', path, '--json'], {});
  assert.is(customized.code, 0, customized.stderr);
  assert.is(sha256(stick), sha256(copy), 'flash and customize splice the same bytes');

  const pack = await parsePack(readFileSync(path));
  assert.equal(readIsoFile(copy, '/fyr/site.tar').subarray(0, pack.tar.length), pack.tar);
  assert.is(JSON.parse(customized.stdout).md5, pack.header.md5.result.md5);
  const site = (await unpackSite(readIsoFile(copy, '/fyr/site.tar')))!;
  const sealed = site.files.find((f) => f.path === 'bundle/etc/fyr/secrets.age')!;
  const code = readFileSync(UNLOCK_CODE_FILE, 'utf8').trim();
  assert.match(await unseal(sealed.content, code), 'example-bmc-password-0');
  const check = await execa('checkisomd5', [copy], { reject: false, all: true });
  assert.is(check.exitCode, 0, check.all);
  // Options that make a site mean nothing for a pack.
  const code2 = await runCli(['customize', copy, '--site', path, ...UNLOCK], {});
  assert.is(code2.code, 2);
  assert.match(code2.stderr, /is a site pack, rendered and sealed when it was made: --unlock-code-file does not apply/);
});

test('pack :: a pack for another release is refused, naming both; nothing is written', async () => {
  const { path } = await makePack('for-other.fyrsite', '--no-seal', '-q');
  const otherDir = join(ctx.dir, 'other-release');
  mkdirSync(otherDir);
  // Another build of the same release: larger site area, so other offsets and MD5 state.
  const { release: other } = await makeTestRelease(otherDir, 'el9', {
    ks: 64 * 1024,
    site: 2 << 20,
  });
  const before = sha256(other);
  const r = await runCli(['customize', other, '--site', path], ENV);
  assert.is(r.code, 1);
  assert.match(
    r.stderr,
    /for-other\.fyrsite was made for release test-4\.16\.3 \(release\.json sha256:[0-9a-f]{12}…\), .* is another build of release test-4\.16\.3/,
  );
  assert.match(r.stderr, '[PACK_RELEASE_MISMATCH]');
  assert.is(sha256(other), before);
  const stick = join(ctx.dir, 'refused.img');
  const f = await runCli(['flash', other, stick, '--site', path, '--yes', '--json'], ENV);
  assert.is(f.code, 1);
  assert.is(JSON.parse(f.stdout).error.code, 'PACK_RELEASE_MISMATCH');
  assert.not.ok(existsSync(stick));
});

test('pack :: damaged, truncated or foreign packs are PACK_INVALID and write nothing', async () => {
  const { path } = await makePack('good.fyrsite', '--no-seal', '-q');
  const bytes = readFileSync(path);
  // Inside site.tar's data (ks.cfg is 4 KiB at the start, site.tar tens of KiB after it).
  const flipAt = Math.floor(bytes.length * 0.6);
  const flipped = Buffer.from(bytes);
  flipped[flipAt] = flipped[flipAt]! ^ 0x20;
  const cases: Array<[string, Buffer, RegExp]> = [
    ['empty', Buffer.alloc(0), /: it is empty/],
    ['truncated', bytes.subarray(0, bytes.length - 1000), /it is \d+ bytes, not a whole tar \(truncated\?\)/],
    ['cut at a block', bytes.subarray(0, bytes.length - 2048), /it is not a readable tar \(Unexpected end of data\)/],
    ['flipped', flipped, /its site\.tar is not the one it was made with \(size or sha256 differs\): damaged/],
    ['not a tar', Buffer.alloc(4096, 0x41), /it is not a readable tar \(Invalid tar header/],
  ];
  const copy = join(ctx.dir, 'untouched.iso');
  copyFileSync(ctx.release, copy);
  const before = sha256(copy);
  for (const [name, content, message] of cases) {
    const file = join(ctx.dir, `${name.replace(/ /g, '-')}.fyrsite`);
    writeFileSync(file, content);
    const r = await runCli(['customize', copy, '--site', file], ENV);
    assert.is(r.code, 1, `${name}: ${r.stderr}`);
    assert.match(r.stderr, message, name);
    assert.match(r.stderr, '[PACK_INVALID]', name);
  }
  assert.is(sha256(copy), before);
  const missing = await runCli(
    ['flash', ctx.release, join(ctx.dir, 'x.img'), '--site', 'nowhere.fyrsite', '--yes'],
    ENV,
  );
  assert.match(missing.stderr, /nowhere\.fyrsite: no such file \[PACK_INVALID\]/);
  assert.not.ok(readdirSync(ctx.dir).some((f) => f.startsWith('.x.img') || f === 'x.img'));
});

test.run();
