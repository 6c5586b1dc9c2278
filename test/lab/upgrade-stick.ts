// The virtual site's second stick, made the way CI makes an upgrade stick: `fyr content
// --openshift 4.18.12 --from 4.18.9` on the connected side's stand-ins (the update graph, the
// oc-mirror and oc doubles, 4.18.12 signed by the stand-in Red Hat key), as a delta on the
// lab's release ISO (`--delta-from`: only what 4.18.9 lacks), then `fyr release`. Built while
// the keeper's day 2 runs (it needs nothing of the site); the bastion reads its files as it
// reads the install stick's (extracted with xorriso: containers often lack the ISO 9660 driver).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { connectedSide, contentArgs } from '../helpers/connected.js';
import { fyr, labRelease } from './site-media.js';
import { LAB_FILES, LAB_FIXTURE_DIR } from '../tools/lab-fixtures.js';

export const UPGRADE_TO = '4.18.12';

export interface UpgradeStick {
  iso: string;
  // The stick's files, as a mount would show them.
  media: string;
  seconds: number;
}

export async function buildUpgradeStick(dir: string, baseRelease: string): Promise<UpgradeStick> {
  const started = Date.now();
  const content = join(dir, 'upgrade-content');
  const side = await connectedSide(join(dir, 'upgrade-connected'), {
    kernel: await readFile(join(LAB_FIXTURE_DIR, LAB_FILES.kernel)),
    initramfs: await readFile(join(LAB_FIXTURE_DIR, LAB_FILES.initramfs)),
    rootfs: await readFile(join(LAB_FIXTURE_DIR, LAB_FILES.rootfs)),
  });
  try {
    await side.signRelease(UPGRADE_TO);
    const argv = contentArgs(side, content, ['--quiet', '--from', '4.18.9', '--delta-from', baseRelease]);
    argv[argv.indexOf('--openshift') + 1] = UPGRADE_TO;
    await fyr(argv, side.env);
  } finally {
    await side.close();
  }
  const iso = join(dir, 'upgrade.iso');
  await fyr([...labRelease(content, iso), '--no-checksum']);
  const media = join(dir, 'upgrade-media');
  await execa('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', '/', media]);
  return { iso, media, seconds: (Date.now() - started) / 1000 };
}
