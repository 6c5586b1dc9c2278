// make demo: the whole fast path on the built-in example, as a user runs it. The content
// directory `fyr content` made against the test doubles (make try's, test/tools/try.ts: a
// registry tree, RHCOS and the installers of a synthetic 4.18.9 release), `fyr release` from the
// RHEL 9-layout fixture ISO, `fyr build` of the edge example (asking for 4.18), `fyr inspect
// --verify`, then the site ISO booted in qemu (BIOS, as a USB stick) and what the fixture's init
// saw: the kernel command line and the kickstart's first line, read from the stick by its label.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { bootIso } from '../helpers/iso.js';
import { ISO_FIXTURE_DIR } from './iso-fixtures.js';

const OUT = 'out/demo';
// Made by `node --import tsx test/tools/try.ts --content-only` (make demo runs it when missing).
const CONTENT = 'out/try/content';
const SITE = 'out/try/edge/site.yaml';

async function fyr(...args: string[]): Promise<void> {
  console.log(`\n$ fyr ${args.join(' ')}`);
  await execa('node', ['dist/cli/main.js', ...args], { stdout: 'inherit', stderr: 'inherit' });
}

async function main(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const content = CONTENT;
  if (!existsSync(join(content, 'fyr-content.json')) || !existsSync(SITE)) {
    console.error(`demo: no ${content}: make demo makes it (make try's content step)`);
    process.exit(1);
  }
  console.log(`demo: the release content fyr content made against the test doubles (make try) in ${content}`);
  await fyr(
    'release',
    '--base',
    join(ISO_FIXTURE_DIR, 'el9.iso'),
    '--content',
    content,
    '-o',
    join(OUT, 'release.iso'),
    '--site-area',
    '1M',
    '--ks-area',
    '64K',
    '--boot-timeout',
    '1',
  );
  // Sealed to the tests' example unlock code (on a terminal without it, fyr makes one and shows it once).
  await fyr(
    'build',
    SITE,
    '--release',
    join(OUT, 'release.iso'),
    '-o',
    join(OUT, 'edge.iso'),
    '--unlock-code-file',
    'test/fixtures/unlock-code.txt',
  );
  await fyr('inspect', join(OUT, 'edge.iso'), '--verify');
  console.log('\ndemo: booting out/demo/edge.iso in qemu (BIOS, as a USB stick; about 15 s)...');
  const log = await bootIso(join(OUT, 'edge.iso'), 'bios', 'usb', OUT);
  // The boot menu's terminal escapes may share a line with the init's first words.
  const seen = [...log.matchAll(/FYR-(?:CMDLINE|LABEL|DEVICE|KS|ERROR): [^\r\n]*/g)].map((m) => m[0]);
  console.log(seen.map((l) => `  ${l}`).join('\n'));
  if (
    !seen.some((l) => l.startsWith('FYR-KS: # Kickstart for bastion.edge.example.com')) ||
    seen.some((l) => l.startsWith('FYR-ERROR'))
  ) {
    console.error(`demo: the booted fixture did not read the site's kickstart; serial log in ${OUT}/bios-usb.log`);
    process.exit(1);
  }
  console.log(`\ndemo: done. The site ISO is ${OUT}/edge.iso; flash it with: fyr flash ${OUT}/edge.iso /dev/sdX`);
}

await main();
