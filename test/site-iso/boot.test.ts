// Release and site ISOs boot in the four ways a bastion can be started: BIOS and UEFI, from CD
// and from a USB stick written with dd. The fixture's init prints the kernel command line,
// checks inst.stage2 names the same label as inst.ks, finds the device by that label, and
// prints the first line of the kickstart it read from the media: the release's placeholder, or
// for a site ISO made by fyr build, the site's kickstart. Each layout boots all four ways once,
// two as a release and two as its site ISO (fyr build changes only the embed areas, never the
// boot structure); the label with spaces, the riskiest to quote, boots all four as a release.
// Each boot is a TCG VM, 10 to 20 s: twenty of them were a fifth of the suite.
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

type Way = [Firmware, Media];
const WAYS: ReadonlyArray<Way> = [
  ['bios', 'cd'],
  ['bios', 'usb'],
  ['uefi', 'cd'],
  ['uefi', 'usb'],
];
const AS_RELEASE: ReadonlyArray<Way> = [WAYS[0]!, WAYS[3]!];
const AS_SITE: ReadonlyArray<Way> = [WAYS[1]!, WAYS[2]!];

for (const fixture of ISO_FIXTURES) {
  const ways = fixture.volid.includes(' ') ? WAYS : AS_RELEASE;
  test(`boot :: ${fixture.name} release boots ${ways.map((w) => w.join('-')).join(', ')} and reads /ks.cfg by its label`, async () => {
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
      for (let i = 0; i < ways.length; i += 2) {
        logs.push(...(await Promise.all(ways.slice(i, i + 2).map(([fw, media]) => bootIso(iso, fw, media, dir)))));
      }
      ways.forEach(([fw, media], i) => {
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

// Site ISOs: the two ways their layout's release did not boot, and the kickstart the fixture
// reads is the site's.
for (const layout of ['el9', 'el10']) {
  test(`boot :: ${layout} site ISO boots ${AS_SITE.map((w) => w.join('-')).join(', ')} and reads the site's kickstart`, async () => {
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
      const logs = await Promise.all(AS_SITE.map(([fw, media]) => bootIso(iso, fw, media, dir)));
      AS_SITE.forEach(([fw, media], i) => {
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
