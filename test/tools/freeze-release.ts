// Freezes a release ISO as the fyr of today writes it, for the compatibility test
// (test/formats/frozen-releases.test.ts): later fyr versions must still build, customize,
// verify and boot-read releases already in the field, as coreos-installer keeps one fixture per
// historical embed-area layout. Run by hand when the release format changes, never by make:
//   node --import tsx test/tools/freeze-release.ts fyr-release-1.2026-12
// The base is a tiny el9-layout ISO whose kernel, initrd and boot binaries are placeholders
// (nothing boots it); the content is test/helpers/content.ts's, with its own agent stand-in.
import { execa } from 'execa';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildRelease } from '../../src/release/release.js';
import { makeContent } from '../helpers/content.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';
import { buildOne } from './iso-fixtures.js';

export const FROZEN_DIR = 'test/fixtures/releases';

const name = process.argv[2];
if (!name || !/^fyr-release-\d+\.\d{4}-\d{2}$/.test(name))
  throw new Error('usage: freeze-release.ts fyr-release-<format>.<yyyy-mm>');
const dir = await makeTmpdir();
try {
  const work = join(dir, 'work');
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'vmlinuz'), 'fyr frozen-fixture stand-in for a kernel\n');
  writeFileSync(join(work, 'initrd.img'), 'fyr frozen-fixture stand-in for an initrd\n');
  const base = await buildOne(
    { name: 'base', layout: 'el9', volid: 'RHEL-9-4-0-BaseOS-x86_64' },
    work,
    { vmlinuz: join(work, 'vmlinuz'), initrd: join(work, 'initrd.img') },
    dir,
    true,
  );
  await makeContent(join(dir, 'content'), { agent: true });
  const output = join(dir, `${name}.iso`);
  await buildRelease({
    base,
    contentDir: join(dir, 'content'),
    output,
    volumeId: 'FYR-FROZEN',
    ksAreaBytes: 64 * 1024,
    siteAreaBytes: 1 << 20,
    bootTimeoutSeconds: 5,
    epoch: 1_764_547_200,
    fyrVersion: 'frozen',
  });
  rmSync(join(FROZEN_DIR, `${name}.iso.xz`), { force: true });
  await execa('xz', ['-9e', '-T1', '--keep', '--stdout', output], {
    stdout: { file: join(FROZEN_DIR, `${name}.iso.xz`) },
  });
  console.log(`froze ${join(FROZEN_DIR, `${name}.iso.xz`)}`);
} finally {
  await removeTmpdir(dir);
}
