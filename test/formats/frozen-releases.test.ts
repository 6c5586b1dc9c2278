// Releases already in the field: every frozen release ISO (test/fixtures/releases/, made by
// test/tools/freeze-release.ts with the fyr of its date) must still be accepted by today's
// fyr build, customize and inspect --verify, and its release.json by the agent's reader.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readRelease } from '../../src/agent/site.js';
import { RELEASE_JSON_PATH } from '../../src/formats/media-layout.js';
import { runCli, UNLOCK } from '../helpers/cli.js';
import { readIsoFile } from '../helpers/iso.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const DIR = 'test/fixtures/releases';
const FROZEN = readdirSync(DIR).filter((f) => f.endsWith('.iso.xz'));
const ENV = { SOURCE_DATE_EPOCH: '1764547200' };

test('frozen releases :: there is at least one', () => {
  assert.ok(FROZEN.includes('fyr-release-1.2026-12.iso.xz'), FROZEN.join(', '));
});

const mediaCheck = async (iso: string) => {
  const r = await execa('checkisomd5', [iso], { reject: false, all: true });
  assert.is(r.exitCode, 0, r.all);
};

for (const file of FROZEN) {
  test(`frozen releases :: ${file}: inspect --verify, build, customize and the agent's reader accept it`, async () => {
    const dir = await makeTmpdir();
    try {
      const release = join(dir, file.replace(/\.xz$/, ''));
      await execa('xz', ['-dc', join(DIR, file)], { stdout: { file: release } });
      const verified = await runCli(['inspect', release, '--verify', '--json']);
      assert.is(verified.code, 0, verified.stdout + verified.stderr);
      assert.is(JSON.parse(verified.stdout).site, undefined);

      const site = join(dir, 'site.iso');
      const built = await runCli(
        ['build', 'examples/edge/site.yaml', '--release', release, '-o', site, '--quiet', ...UNLOCK],
        ENV,
      );
      assert.is(built.code, 0, built.stderr);
      await mediaCheck(site);
      const inspected = await runCli(['inspect', site, '--verify', '--json']);
      assert.is(inspected.code, 0, inspected.stdout + inspected.stderr);
      assert.is(JSON.parse(inspected.stdout).site.meta.cluster, 'edge.example.com');

      const customized = await runCli(
        ['customize', site, '--site', 'examples/single-node/site.yaml', '--quiet', ...UNLOCK],
        ENV,
      );
      assert.is(customized.code, 0, customized.stderr);
      await mediaCheck(site);
      const again = await runCli(['inspect', site, '--verify', '--json']);
      assert.is(again.code, 0, again.stdout);
      assert.is(JSON.parse(again.stdout).site.meta.cluster, 'sno.shop42.example.org');

      // What the kickstart copies to the bastion, read as the agent reads it.
      const json = join(dir, 'release.json');
      writeFileSync(json, readIsoFile(site, RELEASE_JSON_PATH));
      const record = await readRelease(json);
      assert.is(record.payload.length, 8);
      assert.ok(record.payload.every((p) => /^[0-9a-f]{64}$/.test(p.sha256)));
    } finally {
      await removeTmpdir(dir);
    }
  });
}

test.run();
