// Release ISOs of every fixture layout boot in the four ways a bastion can be started: BIOS and
// UEFI, from CD and from a USB stick written with dd. The fixture's init prints the kernel
// command line, checks inst.stage2 names the same label as inst.ks, finds the device by that
// label, and prints the first line of the kickstart it read from the media: the release's
// placeholder, or for a site ISO made by fyr build, the site's kickstart.
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildRelease } from '../../src/release/release.js';
import { ISO_FIXTURE_DIR, ISO_FIXTURES } from '../tools/iso-fixtures.js';
import { makeContent } from '../helpers/content.js';
import { runCli, UNLOCK } from '../helpers/cli.js';
import { makeTestRelease } from '../helpers/release.js';
import { bootIso, type Firmware, type Media } from '../helpers/iso.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const WAYS: ReadonlyArray<[Firmware, Media]> = [
  ['bios', 'cd'],
  ['bios', 'usb'],
  ['uefi', 'cd'],
  ['uefi', 'usb'],
];

for (const fixture of ISO_FIXTURES) {
  test(`boot :: ${fixture.name} release boots BIOS/UEFI x CD/USB and reads /ks.cfg by its label`, async () => {
    const dir = await makeTmpdir();
    try {
      await makeContent(join(dir, 'content'));
      const iso = join(dir, 'release.iso');
      const result = await buildRelease({
        base: join(ISO_FIXTURE_DIR, `${fixture.name}.iso`),
        contentDir: join(dir, 'content'),
        output: iso,
        ksAreaBytes: 64 * 1024,
        siteAreaBytes: 1 << 20,
        bootTimeoutSeconds: 1,
        fyrVersion: 'test',
      });
      const label = result.info.volumeId;
      assert.not.match(label, / /);
      // Two at a time: the machine has two cores.
      const logs: string[] = [];
      for (let i = 0; i < WAYS.length; i += 2) {
        logs.push(...(await Promise.all(WAYS.slice(i, i + 2).map(([fw, media]) => bootIso(iso, fw, media, dir)))));
      }
      WAYS.forEach(([fw, media], i) => {
        const log = logs[i]!;
        const way = `${fixture.name} ${fw} ${media}`;
        assert.match(log, `inst.ks=hd:LABEL=${label}:/ks.cfg`, `${way}: no inst.ks on the kernel command line`);
        assert.not.match(log, /rd\.live\.check/, `${way}: the media-check entry booted, not the install entry`);
        assert.match(log, `FYR-LABEL: ${label}`, way);
        assert.match(log, 'FYR-STAGE2: same label', way);
        assert.match(
          log,
          /FYR-KS: # fyr release test-4\.16\.3: this ISO has not been customised for a site yet\./,
          way,
        );
        assert.not.match(log, /FYR-ERROR/, way);
      });
    } finally {
      await removeTmpdir(dir);
    }
  });
}

// Site ISOs: the same four ways, and the kickstart the fixture reads is the site's.
for (const layout of ['el9', 'el10']) {
  test(`boot :: ${layout} site ISO boots BIOS/UEFI x CD/USB and reads the site's kickstart`, async () => {
    const dir = await makeTmpdir();
    try {
      const { release, info } = await makeTestRelease(dir, layout);
      const iso = join(dir, 'site.iso');
      const built = await runCli([
        'build',
        'examples/edge/site.yaml',
        '--release',
        release,
        '-o',
        iso,
        '--quiet',
        ...UNLOCK,
      ]);
      assert.is(built.code, 0, built.stderr);
      const logs: string[] = [];
      for (let i = 0; i < WAYS.length; i += 2) {
        logs.push(...(await Promise.all(WAYS.slice(i, i + 2).map(([fw, media]) => bootIso(iso, fw, media, dir)))));
      }
      WAYS.forEach(([fw, media], i) => {
        const log = logs[i]!;
        const way = `${layout} site ${fw} ${media}`;
        assert.match(log, `inst.ks=hd:LABEL=${info.volumeId}:/ks.cfg`, way);
        assert.match(
          log,
          'FYR-KS: # Kickstart for bastion.edge.example.com: unattended RHEL 9 bastion install from the fyr media',
          way,
        );
        assert.not.match(log, /FYR-ERROR/, way);
      });
    } finally {
      await removeTmpdir(dir);
    }
  });
}

test.run();
