// fyr build SITE... --pack -o DIR: the examples as a fleet in one command (one pack per site,
// named after its cluster, each with its .sha256, and packs.json), and a fleet with a broken
// site and a site without its unlock code: every problem listed, the good packs still written,
// exit 1.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parsePack } from '../../src/formats/site-pack.js';
import { runCli, UNLOCK_CODE_FILE } from '../helpers/cli.js';
import { makeTestRelease } from '../helpers/release.js';
import { EXAMPLES, exampleSite } from '../helpers/render.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const ENV = { SOURCE_DATE_EPOCH: '1700000000' };
const CLUSTERS = { edge: 'edge', 'ipmi-nat': 'plant', 'single-node': 'sno' } as const;
const ctx: { dir: string; release: string } = { dir: '', release: '' };

test.before(async () => {
  ctx.dir = await makeTmpdir();
  ctx.release = (await makeTestRelease(ctx.dir)).release;
});
test.after(() => removeTmpdir(ctx.dir));

const writeCode = (path: string) => writeFileSync(path, readFileSync(UNLOCK_CODE_FILE), { mode: 0o600 });

test('fleet :: the examples in one command: a pack per cluster, checksums sha256sum accepts, a summary', async () => {
  const codes = join(ctx.dir, 'codes');
  mkdirSync(codes);
  for (const cluster of Object.values(CLUSTERS)) writeCode(join(codes, cluster));
  const out = join(ctx.dir, 'packs');
  const r = await runCli(
    [
      'build',
      ...EXAMPLES.map(exampleSite),
      '--release',
      ctx.release,
      '--pack',
      '-o',
      `${out}/`,
      '--unlock-code-dir',
      codes,
      '--json',
    ],
    ENV,
  );
  assert.is(r.code, 0, r.stdout + r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.is(summary.format, 'fyr-packs/1');
  assert.is(summary.ok, true);
  assert.is(summary.packs, 3);
  assert.equal(
    summary.sites.map((s: { site: string; pack: string }) => [s.site, s.pack]),
    EXAMPLES.map((e) => [exampleSite(e), join(out, `${CLUSTERS[e]}.fyrsite`)]),
  );
  assert.equal(JSON.parse(readFileSync(join(out, 'packs.json'), 'utf8')), summary);
  assert.equal(readdirSync(out).sort(), [
    'edge.fyrsite',
    'edge.fyrsite.sha256',
    'packs.json',
    'plant.fyrsite',
    'plant.fyrsite.sha256',
    'sno.fyrsite',
    'sno.fyrsite.sha256',
  ]);
  const sums = await execa('sha256sum', ['-c', 'edge.fyrsite.sha256', 'plant.fyrsite.sha256', 'sno.fyrsite.sha256'], {
    cwd: out,
    reject: false,
    all: true,
  });
  assert.is(sums.exitCode, 0, sums.all);
  for (const e of EXAMPLES) {
    const pack = await parsePack(readFileSync(join(out, `${CLUSTERS[e]}.fyrsite`)));
    assert.is(pack.header.site.meta.sealed, true);
    assert.is(pack.header.release.name, 'test-4.16.3');
  }
});

test('fleet :: a broken site and a missing code are listed; the other packs are written; exit 1', async () => {
  const sites = join(ctx.dir, 'sites');
  for (const name of ['edge', 'init', 'single-node', 'ipmi-nat']) {
    cpSync(join('examples', name), join(sites, name), { recursive: true });
    // Each site's code beside it, but for ipmi-nat's.
    if (name !== 'ipmi-nat') writeCode(join(sites, name, 'unlock-code'));
  }
  const files = ['edge', 'init', 'single-node', 'ipmi-nat'].map((n) => join(sites, n, 'site.yaml'));
  const out = join(ctx.dir, 'fleet');
  const r = await runCli(['build', ...files, '--release', ctx.release, '--pack', '-o', out], ENV);
  assert.is(r.code, 1, r.stderr);
  // init's every problem, as fyr validate prints them.
  assert.match(r.stderr, /init\/secrets\.yaml:7:1: root-password-hash: .* \[SECRET_PLACEHOLDER\]/);
  assert.is(r.stderr.match(/\[SECRET_PLACEHOLDER\]/g)?.length, 5);
  assert.match(
    r.stderr,
    /fyr: error: .*ipmi-nat\/site\.yaml: no unlock code for cluster plant: .*ipmi-nat\/unlock-code does not exist \[UNLOCK_CODE_REQUIRED\]/,
  );
  // The table names each site's outcome.
  assert.match(r.stdout, /^SITE +CLUSTER +PACK +SIZE +RESULT$/m);
  assert.match(r.stdout, /init\/site\.yaml +- +- +- +SITE_INVALID: 5 errors$/m);
  assert.match(r.stdout, /edge\/site\.yaml +edge\.example\.com +.*edge\.fyrsite +[\d.]+ KiB +ok$/m);
  assert.match(r.stdout, /2 of 4 sites failed \(below\); 2 packs written/);
  assert.ok(existsSync(join(out, 'edge.fyrsite')) && existsSync(join(out, 'sno.fyrsite')));
  assert.not.ok(existsSync(join(out, 'plant.fyrsite')));
  const summary = JSON.parse(readFileSync(join(out, 'packs.json'), 'utf8'));
  assert.equal(
    summary.sites.map((s: { ok: boolean; error?: { code: string } }) => (s.ok ? 'ok' : s.error!.code)),
    ['ok', 'SITE_INVALID', 'ok', 'UNLOCK_CODE_REQUIRED'],
  );
  assert.is(summary.sites[1].errors.length, 5);
  assert.not.ok(
    readdirSync(out).some((f) => f.startsWith('.')),
    'no temporary file left',
  );
  // Several sites are only packs, and one code for all is refused.
  const iso = await runCli(['build', ...files, '--release', ctx.release, '-o', out], ENV);
  assert.is(iso.code, 2);
  assert.match(iso.stderr, 'several sites are built only as packs');
  const one = await runCli(
    ['build', ...files, '--release', ctx.release, '--pack', '-o', out, '--unlock-code-file', UNLOCK_CODE_FILE],
    ENV,
  );
  assert.is(one.code, 2);
  assert.match(one.stderr, '--unlock-code-file seals one site: with several, give --unlock-code-dir DIR');
});

test.run();
