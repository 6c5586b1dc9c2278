// fyr build, customize and inspect on release ISOs of the fixture layouts: the media check
// passes (checkisomd5), the site lands in the areas and nowhere else, customize equals a fresh
// build, implantisomd5 and fyr agree in both directions, and bad inputs leave nothing behind.
import { createHash } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isFyrError } from '../../src/errors.js';
import type { ReleaseInfo } from '../../src/formats/release-json.js';
import { fileReader } from '../../src/util/fs.js';
import { inspectIso } from '../../src/site-iso/inspect.js';
import { findInIso } from '../../src/iso9660/read.js';
import { APPDATA_SIZE } from '../../src/iso9660/isomd5.js';
import { buildSiteIso } from '../../src/site-iso/build.js';
import { unpackSite } from '../../src/formats/site-bundle.js';
import { renderSite } from '../../src/render/index.js';
import { validateSiteFile } from '../../src/site/index.js';
import { ISO_FIXTURE_DIR } from '../tools/iso-fixtures.js';
import { runCli } from '../helpers/cli.js';
import { withTestRelease } from '../helpers/release.js';
import { readIsoFile } from '../helpers/iso.js';

const EDGE = 'examples/edge/site.yaml';
const SNO = 'examples/single-node/site.yaml';
const ENV = { SOURCE_DATE_EPOCH: '1700000000' };
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

const withRelease = withTestRelease;

// --no-seal: these tests compare whole images byte for byte, and a sealed site's secrets.age is
// new on every seal (sealed builds are tested in sealed.test.ts).
async function build(site: string, release: string, out: string, extra: string[] = []) {
  const r = await runCli(['build', site, '--release', release, '-o', out, '--quiet', '--no-seal', ...extra], ENV);
  assert.is(r.code, 0, r.stderr);
}

// Byte ranges where two files of the same size differ, merged when closer than a sector.
function differingRanges(a: string, b: string): Array<[number, number]> {
  const x = readFileSync(a);
  const y = readFileSync(b);
  assert.is(x.length, y.length);
  const ranges: Array<[number, number]> = [];
  for (let i = 0; i < x.length; i++) {
    if (x[i] === y[i]) continue;
    const last = ranges.at(-1);
    if (last && i - last[1] <= 2048) last[1] = i + 1;
    else ranges.push([i, i + 1]);
  }
  return ranges;
}

async function checkisomd5(iso: string) {
  const r = await execa('checkisomd5', [iso], { reject: false, all: true });
  assert.is(r.exitCode, 0, r.all);
}

for (const layout of ['el9', 'el10']) {
  test(`site-iso :: ${layout}: build splices the rendered site, the media check passes, verify is clean, rebuilds are identical`, () =>
    withRelease(layout, async (dir, release, info) => {
      const out = join(dir, 'site.iso');
      await build(EDGE, release, out);
      await checkisomd5(out);
      assert.is(statSync(out).size, statSync(release).size);
      const loaded = await validateSiteFile(EDGE, {});
      const rendered = renderSite(loaded.site!, { os: 'rhel9', source: 'liveimg', sealed: false });
      const ks = rendered.files.find((f) => f.path === 'ks.cfg')!.content;
      const area = readIsoFile(out, '/ks.cfg');
      assert.is(area.length, info.embed.kickstart.length);
      assert.is(area.subarray(0, Buffer.byteLength(ks)).toString(), ks);
      const site = (await unpackSite(readIsoFile(out, '/fyr/site.tar')))!;
      for (const f of rendered.files.filter((f) => f.path !== 'ks.cfg')) {
        assert.is(site.files.find((t) => t.path === f.path)?.content.toString(), f.content, f.path);
      }
      assert.is(site.meta?.cluster, 'edge.example.com');
      assert.is(site.meta?.built, '2023-11-14T22:13:20.000Z');
      const report = await inspectIso(out, { verify: true });
      assert.equal(report.verify?.problems, []);
      assert.is(report.site?.meta?.renderHash, site.meta?.renderHash);
      // Only the areas and the PVD's application-use field differ from the release.
      for (const [from, to] of differingRanges(release, out)) {
        // The two areas are adjacent: a changed run may cross from one into the other.
        const areas = [info.embed.kickstart, info.embed.site];
        const inArea =
          from >= Math.min(...areas.map((a) => a.offset)) && to <= Math.max(...areas.map((a) => a.offset + a.length));
        const inPvdField = from >= 16 * 2048 + 883 && to <= 16 * 2048 + 883 + APPDATA_SIZE;
        assert.ok(
          inArea || inPvdField,
          `bytes ${from}-${to} changed outside the embed areas and the media-check field`,
        );
      }
      const again = join(dir, 'again.iso');
      await build(EDGE, release, again);
      assert.is(sha256(again), sha256(out));
    }));
}

test('site-iso :: customize replaces the site in place, equals a fresh build, and keeps the media check valid', () =>
  withRelease('el9', async (dir, release, info) => {
    const edge = join(dir, 'edge.iso');
    const sno = join(dir, 'sno.iso');
    await build(EDGE, release, edge);
    await build(SNO, release, sno);
    const patched = join(dir, 'patched.iso');
    copyFileSync(edge, patched);
    const r = await runCli(['customize', patched, '--site', SNO, '--json', '--no-seal'], ENV);
    assert.is(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.is(json.bytesWritten, info.embed.kickstart.length + info.embed.site.length + APPDATA_SIZE);
    assert.is(json.site.cluster, 'sno.shop42.example.org');
    assert.is(sha256(patched), sha256(sno));
    await checkisomd5(patched);
    // A release customised in place is the same as a site ISO built from it.
    const inPlace = join(dir, 'in-place.iso');
    copyFileSync(release, inPlace);
    assert.is((await runCli(['customize', inPlace, '--site', EDGE, '-q', '--no-seal'], ENV)).code, 0);
    assert.is(sha256(inPlace), sha256(edge));
  }));

test('site-iso :: a hand-changed media-check field is refused, then repaired with --rehash', () =>
  withRelease('el10', async (dir, release) => {
    const iso = join(dir, 'site.iso');
    await build(EDGE, release, iso);
    const reference = sha256(iso);
    const fd = openSync(iso, 'r+');
    writeSync(fd, Buffer.from('ISO MD5SUM = 00000000000000000000000000000000;'), 0, 46, 16 * 2048 + 883);
    closeSync(fd);
    const refused = await runCli(['customize', iso, '--site', EDGE, '--no-seal'], ENV);
    assert.is(refused.code, 1);
    assert.match(refused.stderr, /does not give the implanted media-check MD5.*\[MD5_STATE_MISMATCH\]/);
    assert.match(refused.stderr, /--rehash/);
    const repaired = await runCli(['customize', iso, '--site', EDGE, '--rehash', '-q', '--no-seal'], ENV);
    assert.is(repaired.code, 0, repaired.stderr);
    assert.is(sha256(iso), reference);
    await checkisomd5(iso);
  }));

test("site-iso :: implantisomd5's sum is read by fyr, and fyr's equals implantisomd5's", () =>
  withRelease('el9', async (dir, release) => {
    const ours = join(dir, 'ours.iso');
    await build(EDGE, release, ours);
    const theirs = join(dir, 'theirs.iso');
    copyFileSync(ours, theirs);
    const fd = openSync(theirs, 'r+');
    writeSync(fd, Buffer.alloc(APPDATA_SIZE, 0x20), 0, APPDATA_SIZE, 16 * 2048 + 883);
    closeSync(fd);
    await execa('implantisomd5', [theirs]);
    assert.is(sha256(theirs), sha256(ours));
    const report = await inspectIso(theirs, { verify: true });
    assert.ok(report.verify?.ok, report.verify?.problems.join('\n'));
  }));

test('site-iso :: inspect reports release and site, and --verify names a changed payload file', () =>
  withRelease('el9', async (dir, release) => {
    const plain = await runCli(['inspect', release, '--json']);
    assert.is(plain.code, 0, plain.stderr);
    const r = JSON.parse(plain.stdout);
    assert.is(r.site, undefined);
    assert.is(r.release.release.name, 'test-4.16.3');
    const iso = join(dir, 'site.iso');
    await build(EDGE, release, iso);
    const text = await runCli(['inspect', iso]);
    assert.match(text.stdout, /site {8}edge\.example\.com for OpenShift 4\.16\.3, built 2023-11-14T22:13:20\.000Z/);
    assert.match(text.stdout, /cp-0 \(control-plane, 52:54:00:00:00:10, 192\.168\.8\.10\)/);
    // Change one byte inside a payload file.
    const info = JSON.parse(readIsoFile(iso, '/release.json').toString()) as ReleaseInfo;
    const oc = info.payload.find((p) => p.role === 'oc')!;
    const fd = openSync(iso, 'r+');
    const extent = findInIso(fileReader(fd), oc.path)!.extents[0]!;
    writeSync(fd, Buffer.from('!'), 0, 1, extent.offset + 100);
    closeSync(fd);
    const verify = await runCli(['inspect', iso, '--verify']);
    assert.is(verify.code, 1);
    assert.match(verify.stdout, new RegExp(`${oc.path}: sha256 [0-9a-f]{64}, release.json says ${oc.sha256}`));
    assert.match(verify.stdout, /media-check MD5 is [0-9a-f]{32}, the implanted one is/);
    // A site area written over by something else is reported, not a crash.
    const damaged = join(dir, 'damaged.iso');
    copyFileSync(iso, damaged);
    const dfd = openSync(damaged, 'r+');
    writeSync(dfd, Buffer.alloc(512, 0x41), 0, 512, info.embed.site.offset);
    closeSync(dfd);
    const look = await runCli(['inspect', damaged, '--verify', '--json']);
    assert.is(look.code, 1);
    const seen = JSON.parse(look.stdout);
    assert.is(seen.siteAreaDamaged, true);
    assert.ok(
      seen.verify.problems.includes('/fyr/site.tar: the site area is not a readable tar'),
      seen.verify.problems.join('\n'),
    );
    // fyr build --verify refuses to start from it, and leaves nothing behind.
    const out = join(dir, 'out');
    mkdirSync(out);
    const refused = await runCli(
      ['build', EDGE, '--release', iso, '-o', join(out, 'x.iso'), '--verify', '--no-seal'],
      ENV,
    );
    assert.is(refused.code, 1);
    assert.match(refused.stderr, /its content differs from what fyr release wrote.*\[VERIFY_FAILED\]/);
    assert.equal(readdirSync(out), []);
  }));

test('site-iso :: a site too large for the areas, a truncated release, a non-fyr ISO and an interrupted build are clear errors that leave nothing', () =>
  withRelease(
    'el9',
    async (dir, release) => {
      const out = join(dir, 'out');
      mkdirSync(out);
      const big = await runCli(['build', EDGE, '--release', release, '-o', join(out, 'site.iso'), '--no-seal'], ENV);
      assert.is(big.code, 1);
      assert.match(
        big.stderr,
        /the site bundle is \d+ bytes, its area 4096 \(fyr release --site-area\) \[SITE_TOO_LARGE\]/,
      );
      assert.equal(readdirSync(out), []);

      const truncated = join(dir, 'truncated.iso');
      copyFileSync(release, truncated);
      truncateSync(truncated, statSync(release).size - 3 * 2048 * 1024);
      const t = await runCli(['build', EDGE, '--release', truncated, '-o', join(out, 'site.iso'), '--no-seal'], ENV);
      assert.is(t.code, 1);
      assert.match(t.stderr, /truncated: its volume descriptor says \d+ bytes, the file has \d+ \[RELEASE_INVALID\]/);

      const base = await runCli(['customize', join(ISO_FIXTURE_DIR, 'el9.iso'), '--site', EDGE, '--no-seal'], ENV);
      assert.is(base.code, 1);
      assert.match(base.stderr, /no \/release\.json: not an ISO made by `fyr release` \[RELEASE_INVALID\]/);
      assert.equal(readdirSync(out), []);
    },
    { ks: 64 * 1024, site: 4096 },
  ));

test('site-iso :: an interrupted build leaves nothing behind', () =>
  withRelease('el9', async (dir, release) => {
    mkdirSync(join(dir, 'out'));
    const stop = new AbortController();
    const err = await buildSiteIso({
      release,
      output: join(dir, 'out', 'site.iso'),
      content: { kickstart: '# ks\n', tar: Buffer.alloc(0) },
      signal: stop.signal,
      onProgress: () => stop.abort(),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(isFyrError(err), String(err));
    assert.is(err.code, 'INTERRUPTED');
    assert.equal(readdirSync(join(dir, 'out')), []);
  }));

test('site-iso :: usage errors', async () => {
  assert.match((await runCli(['build', EDGE, '-o', 'x.iso'])).stderr, /missing --release ISO/);
  assert.match((await runCli(['build', EDGE, '--release', 'r.iso', '--no-seal'])).stderr, /missing -o FILE/);
  assert.match((await runCli(['customize', 'x.iso', '--no-seal'])).stderr, /missing --site FILE/);
  assert.is((await runCli(['inspect'])).code, 2);
});

test.run();
