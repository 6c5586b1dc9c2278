// Reading the edited site from each source: a site ISO that fyr build made from a real (frozen)
// release, read with fyr's ISO 9660 reader; the media's files in a directory; an unpacked site
// area. Every file against its manifest; each wrong input said so in one clear line.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readBundleDir, readMediaDir, readSiteIso } from '../../../src/agent/apply/source.js';
import { devicesLabelled, lsblk } from '../../../src/agent/apply/stick.js';
import { readIsoFile } from '../../helpers/iso.js';
import { runCli } from '../../helpers/cli.js';
import { renderTo, variantSite } from '../../helpers/render.js';
import { makeTmpdir, removeTmpdir } from '../../helpers/tmpdir.js';

const FROZEN = 'test/fixtures/releases/fyr-release-1.2026-12.iso.xz';
const ENV = { SOURCE_DATE_EPOCH: '1764547200' };

const test = suite<{ dir: string; release: string; site: string }>('apply :: source', {
  dir: '',
  release: '',
  site: '',
});
test.before(async (c) => {
  c.dir = await makeTmpdir();
  c.release = join(c.dir, 'release.iso');
  await execa('xz', ['-dc', FROZEN], { stdout: { file: c.release } });
  c.site = join(c.dir, 'site.iso');
  // The frozen release carries OpenShift 4.16.3.
  const file = await variantSite('ipmi-nat', c.dir, { site: (t) => t.replace('"4.16"', '"4.16.3"') });
  const built = await runCli(['build', file, '--release', c.release, '-o', c.site, '--quiet', '--no-seal'], ENV);
  if (built.code !== 0) throw new Error(built.stderr);
});
test.after(async (c) => removeTmpdir(c.dir));

const rejects = async (fn: () => unknown, message: string | RegExp) => {
  try {
    await fn();
  } catch (err) {
    if (typeof message === 'string') assert.is((err as Error).message, message);
    else assert.match((err as Error).message, message);
    return;
  }
  assert.unreachable('no error');
};

test('a site ISO: the site area, checked, with the release it carries', (c) => {
  const s = readSiteIso(c.site);
  assert.is(s.from, `site ISO ${c.site}`);
  assert.is(s.site.cluster.fqdn, 'plant.corp.example.net');
  assert.equal(
    s.site.nodes.map((n) => n.name),
    ['master-0', 'master-1', 'master-2', 'worker-0', 'worker-1'],
  );
  assert.is(s.manifest.sealed, false);
  assert.is(s.manifest.os, 'rhel9');
  assert.is(s.meta?.cluster, 'plant.corp.example.net');
  assert.is(s.renderHash, s.meta?.renderHash);
  assert.is(s.release?.release.name, s.meta?.release);
  assert.ok(s.files.some((f) => f.path === 'bundle/etc/dhcp/dhcpd.conf'));
});

test('a release ISO without a site, a plain file, a missing file, an ISO that is not fyr’s', async (c) => {
  await rejects(
    () => readSiteIso(c.release),
    `site ISO ${c.release}: a fyr release without a site; put the edited site in with fyr build (or fyr customize) first`,
  );
  await rejects(
    () => readSiteIso('package.json'),
    'package.json: not an ISO 9660 image; give the site ISO that fyr build wrote',
  );
  await rejects(() => readSiteIso(join(c.dir, 'nothing.iso')), `${join(c.dir, 'nothing.iso')}: cannot open (ENOENT)`);
  const plain = join(c.dir, 'plain.iso');
  await mkdir(join(c.dir, 'tree'));
  await writeFile(join(c.dir, 'tree', 'hello.txt'), 'hello\n');
  await execa('xorriso', ['-as', 'mkisofs', '-quiet', '-R', '-V', 'PLAIN', '-o', plain, join(c.dir, 'tree')]);
  await rejects(() => readSiteIso(plain), `${plain}: an ISO, but not one of fyr's (no /fyr/site.tar)`);
});

test('the media as a directory; an unpacked site area; a file where a directory belongs', async (c) => {
  const media = join(c.dir, 'media');
  await mkdir(join(media, 'fyr'), { recursive: true });
  await writeFile(join(media, 'fyr', 'site.tar'), readIsoFile(c.site, '/fyr/site.tar'));
  await writeFile(join(media, 'release.json'), readIsoFile(c.site, '/release.json'));
  const fromMedia = await readMediaDir(media);
  assert.is(fromMedia.renderHash, readSiteIso(c.site).renderHash);
  const area = join(c.dir, 'area');
  await mkdir(area);
  await execa('tar', ['-xf', join(media, 'fyr', 'site.tar'), '-C', area]);
  const fromArea = await readBundleDir(area);
  assert.is(fromArea.renderHash, fromMedia.renderHash);
  assert.is(fromArea.release, undefined);
  await rejects(
    () => readBundleDir(join(media, 'release.json')),
    `${join(media, 'release.json')}: a file, not a directory; --bundle wants the unpacked site area (for an ISO, --site-iso)`,
  );
  await rejects(
    () => readMediaDir(c.dir),
    new RegExp(`^${join(c.dir, 'fyr/site.tar')}: cannot read \\(ENOENT\\): not fyr install media$`),
  );
});

test('a file that differs from its manifest, one missing, one not listed: all named', async (c) => {
  const area = join(c.dir, 'edited');
  await mkdir(area);
  await execa('tar', ['-xf', '-', '-C', area], { input: readIsoFile(c.site, '/fyr/site.tar') });
  const dhcpd = join(area, 'bundle/etc/dhcp/dhcpd.conf');
  await writeFile(dhcpd, `${await readFile(dhcpd, 'utf8')}# edited by hand\n`);
  await execa('rm', [join(area, 'bundle/etc/named.conf')]);
  await copyFile(join(area, 'bundle/etc/chrony.conf'), join(area, 'bundle/etc/chrony.conf.orig'));
  await rejects(
    () => readBundleDir(area),
    `bundle ${area}: the site does not match its manifest.json:
  bundle/etc/chrony.conf.orig: not listed in manifest.json
  bundle/etc/dhcp/dhcpd.conf: differs from manifest.json (sha256); damaged, or edited after fyr render
  bundle/etc/named.conf: listed in manifest.json but missing`,
  );
});

test('not a site at all: a fyr render output without site.json, any other directory', async (c) => {
  const { out } = await renderTo('examples/edge/site.yaml', join(c.dir, 'render'));
  // A render directory is a site (no build record: check.ts asks for one).
  assert.is((await readBundleDir(out)).meta, undefined);
  await rejects(
    () => readBundleDir('docs'),
    'bundle docs: not a fyr site (no manifest.json); give a site ISO from fyr build or fyr customize, or its unpacked /fyr/site.tar',
  );
});

test('the stick: found by its label as a whole disk; two sticks refused by the caller', () => {
  assert.equal(lsblk(), ['--json', '--list', '--paths', '--output', 'PATH,TYPE,PKNAME,LABEL']);
  const json = JSON.stringify({
    blockdevices: [
      { path: '/dev/sda', type: 'disk', pkname: null, label: null },
      { path: '/dev/sda1', type: 'part', pkname: '/dev/sda', label: 'boot' },
      { path: '/dev/sdb', type: 'disk', pkname: null, label: 'FYR-4.17' },
      { path: '/dev/sdb1', type: 'part', pkname: '/dev/sdb', label: 'FYR-4.17' },
      { path: '/dev/sdb2', type: 'part', pkname: '/dev/sdb', label: 'ANACONDA' },
      { path: '/dev/sdc1', type: 'part', pkname: '/dev/sdc', label: 'FYR-4.17' },
    ],
  });
  assert.equal(devicesLabelled(json, 'FYR-4.17'), ['/dev/sdb', '/dev/sdc1']);
  assert.equal(devicesLabelled(json, 'FYR-4.18'), []);
});

test.run();
