// fyr release on the fixture base ISOs: media check, release.json, the saved MD5 state,
// embed-area placement, reproducibility, payload integrity.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { IsoMd5Hasher, md5PaddingBlock, parseAppData } from '../../src/iso9660/isomd5.js';
import { PVD_OFFSET } from '../../src/iso9660/read.js';
import { findInIso, walkIso } from '../../src/iso9660/read.js';
import { buildRelease, md5StatePath, type ReleaseOptions } from '../../src/release/release.js';
import type { ReleaseInfo } from '../../src/formats/release-json.js';
import { AGENT_BUNDLE } from '../../src/release/agent-bundle.js';
import { ISO_FIXTURE_DIR } from '../tools/iso-fixtures.js';
import { CONTENT_FILES, bytesFor, makeContent } from '../helpers/content.js';
import { readIsoFile, withImage } from '../helpers/iso.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const options = (dir: string, base: string, out = 'release.iso'): ReleaseOptions => ({
  base: join(ISO_FIXTURE_DIR, `${base}.iso`),
  contentDir: join(dir, 'content'),
  output: join(dir, out),
  ksAreaBytes: 64 * 1024,
  siteAreaBytes: 1 << 20,
  bootTimeoutSeconds: 5,
  fyrVersion: 'test',
});

for (const base of ['el9', 'el10']) {
  test(`release :: ${base}: checkisomd5 passes, release.json tells the truth, the saved MD5 state finishes the sum`, async () => {
    const dir = await makeTmpdir();
    try {
      await makeContent(join(dir, 'content'));
      const result = await buildRelease(options(dir, base));
      const iso = result.output;
      const check = await execa('checkisomd5', [iso], { reject: false, all: true });
      assert.is(check.exitCode, 0, check.all);
      const info = JSON.parse(readIsoFile(iso, '/release.json').toString()) as ReleaseInfo;
      assert.equal(info, result.info);
      assert.is(info.base.layout, base);
      if (base === 'el10') {
        // fyr's GPT: a protective MBR, the ISO data and the ESP, CRCs and backup in order.
        const gpt = await execa('sgdisk', ['-v', '-p', iso], { all: true });
        assert.match(gpt.all, /No problems found/);
        assert.match(gpt.all, /1\s+64\s+\d+\s+.*0700\s+ISO9660/);
        assert.match(gpt.all, /2\s+\d+\s+\d+\s+4\.0 MiB\s+EF00\s+Appended2/);
      }
      // Without an agent in the content, the release carries the one built from src/agent.
      const bundle = readFileSync(AGENT_BUNDLE);
      assert.equal(info.agent, {
        path: '/fyr/agent/fyr-agent.mjs',
        version: 'test',
        size: bundle.length,
        sha256: sha256(bundle),
      });
      assert.ok(readIsoFile(iso, '/fyr/agent/fyr-agent.mjs').equals(bundle));
      // The areas hold what release.json says, where it says.
      const data = readFileSync(iso);
      const ks = info.embed.kickstart;
      assert.ok(data.subarray(ks.offset, ks.offset + ks.length).equals(readIsoFile(iso, '/ks.cfg')));
      assert.is(ks.length, 64 * 1024);
      assert.match(
        data.subarray(ks.offset, ks.offset + 200).toString(),
        /^# fyr release test-4\.16\.3: this ISO has not been customised/,
      );
      assert.ok(
        data.subarray(info.embed.site.offset, info.embed.site.offset + info.embed.site.length).every((b) => b === 0),
      );
      // Nothing but the areas and release.json lies after the first area.
      const first = Math.min(ks.offset, info.embed.site.offset);
      const after = withImage(iso, (read) => walkIso(read))
        .filter((e) => !e.directory && e.extents.some((x) => x.length > 0 && x.offset >= first))
        .map((e) => e.path);
      assert.equal(after.sort(), ['/fyr/site.tar', '/ks.cfg', '/release.json']);
      // The MD5 pad is the sector just before the first area and ends in MD5's padding block.
      assert.equal(withImage(iso, (read) => findInIso(read, '/fyr/md5-pad'))?.extents, [
        { offset: first - 2048, length: 2048 },
      ]);
      assert.ok(data.subarray(first - 64, first).equals(md5PaddingBlock(first - 64)));
      // Resuming from the saved state over the rest gives the implanted sum.
      const state = JSON.parse(readFileSync(md5StatePath(iso), 'utf8'));
      assert.equal(state.resume, info.md5);
      assert.is(state.resume.offset, first);
      const hasher = new IsoMd5Hasher(state.resume, state.resume);
      hasher.update(data.subarray(first));
      const implanted = parseAppData(data.subarray(PVD_OFFSET + 883, PVD_OFFSET + 883 + 512));
      assert.is(hasher.result().md5, implanted?.md5);
      assert.is(hasher.result().fragmentSums, implanted?.fragmentSums);
      // Every payload file arrived intact.
      for (const f of CONTENT_FILES)
        assert.is(sha256(readIsoFile(iso, `/fyr/payload/${f.path}`)), sha256(bytesFor(f.path, f.size)), f.path);
      assert.equal(
        info.payload.map((p) => p.path),
        CONTENT_FILES.map((f) => `/fyr/payload/${f.path}`),
      );
      // No temporary files beside the output.
      assert.equal(readdirSync(dir).sort(), ['content', 'release.iso', 'release.iso.md5state.json']);
    } finally {
      await removeTmpdir(dir);
    }
  });
}

test('release :: same inputs give the same bytes, even after the content files are touched', async () => {
  const dir = await makeTmpdir();
  try {
    await makeContent(join(dir, 'content'));
    const a = await buildRelease(options(dir, 'el10', 'a.iso'));
    const now = Date.now() / 1000;
    for (const f of CONTENT_FILES) utimesSync(join(dir, 'content', f.path), now, now);
    const b = await buildRelease(options(dir, 'el10', 'b.iso'));
    assert.is(sha256(readFileSync(a.output)), sha256(readFileSync(b.output)));
    const c = await buildRelease({ ...options(dir, 'el10', 'c.iso'), epoch: 1_800_000_000 });
    assert.is.not(sha256(readFileSync(c.output)), sha256(readFileSync(a.output)), 'SOURCE_DATE_EPOCH must matter');
  } finally {
    await removeTmpdir(dir);
  }
});

test('release :: an agent from the content directory replaces the built one and is recorded with its sha256', async () => {
  const dir = await makeTmpdir();
  try {
    await makeContent(join(dir, 'content'), { agent: true });
    const result = await buildRelease(options(dir, 'el9'));
    const agent = readFileSync(join(dir, 'content/agent/fyr-agent.js'));
    assert.equal(result.info.agent, {
      path: '/fyr/agent/fyr-agent.mjs',
      version: 'content',
      size: agent.length,
      sha256: sha256(agent),
    });
    assert.ok(readIsoFile(result.output, '/fyr/agent/fyr-agent.mjs').equals(agent));
  } finally {
    await removeTmpdir(dir);
  }
});

test('release :: --volid, the boot timeout and the base volume id with spaces', async () => {
  const dir = await makeTmpdir();
  try {
    await makeContent(join(dir, 'content'));
    const spaced = await buildRelease({ ...options(dir, 'el9-spaces'), bootTimeoutSeconds: 7 });
    assert.is(spaced.info.volumeId, 'RHEL_9.4_BaseOS_x86_64');
    assert.is(spaced.info.base.volumeId, 'RHEL 9.4 BaseOS x86_64');
    const isolinux = readIsoFile(spaced.output, '/isolinux/isolinux.cfg').toString();
    assert.match(isolinux, /^timeout 70$/m);
    assert.not.match(isolinux, /\\x20|RHEL 9\.4/);
    const named = await buildRelease({ ...options(dir, 'el10', 'named.iso'), volumeId: 'EDGE-4_16' });
    assert.is(named.info.volumeId, 'EDGE-4_16');
    const grub = readIsoFile(named.output, '/boot/grub2/grub.cfg').toString();
    assert.match(grub, /search --no-floppy --set=root -l 'EDGE-4_16'/);
    assert.match(grub, /inst\.stage2=hd:LABEL=EDGE-4_16 .*inst\.ks=hd:LABEL=EDGE-4_16:\/ks\.cfg/);
    assert.ok(statSync(named.output).size > 0);
  } finally {
    await removeTmpdir(dir);
  }
});

test('release :: the ESP inside the image carries the edited GRUB menu (UEFI from USB reads it there)', async () => {
  const dir = await makeTmpdir();
  try {
    await makeContent(join(dir, 'content'));
    const result = await buildRelease(options(dir, 'el9'));
    const esp = join(dir, 'esp.img');
    writeFileSync(esp, readIsoFile(result.output, '/images/efiboot.img'));
    const { stdout } = await execa('mtype', ['-i', esp, '::/EFI/BOOT/grub.cfg'], { env: { MTOOLS_SKIP_CHECK: '1' } });
    assert.match(stdout, /inst\.ks=hd:LABEL=RHEL-9-4-0-BaseOS-x86_64:\/ks\.cfg/);
    assert.match(stdout, /^set timeout=5$/m);
  } finally {
    await removeTmpdir(dir);
  }
});

test.run();
