// The virtual site's upgrade sticks, made the way CI makes them: `fyr content --openshift TO
// --from FROM` on the connected side's stand-ins (the update graph, the oc-mirror and oc
// doubles, each release signed by the stand-in Red Hat key), then `fyr release`. Two sticks:
// a delta (4.18.9 → 4.18.12, `--delta-from` the lab's release ISO: only what 4.18.9 lacks), and
// a full one (4.18.12 → 4.19.3, a minor hop: both releases' whole trees). Built while the
// keeper's day 2 runs (they need nothing of the site); the bastion reads a stick's files as it
// reads the install stick's (extracted with xorriso: containers often lack the ISO 9660 driver).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { connectedSide, contentArgs } from '../helpers/connected.js';
import { fyr, labRelease } from './site-media.js';
import { LAB_FILES, LAB_FIXTURE_DIR } from '../tools/lab-fixtures.js';

export const UPGRADE_TO = '4.18.12';
export const FULL_TO = '4.19.3';

export interface UpgradeStick {
  iso: string;
  // The stick's files, as a mount would show them.
  media: string;
  seconds: number;
}

export async function buildUpgradeSticks(
  dir: string,
  baseRelease: string,
): Promise<{ delta: UpgradeStick; full: UpgradeStick }> {
  const side = await connectedSide(join(dir, 'upgrade-connected'), {
    kernel: await readFile(join(LAB_FIXTURE_DIR, LAB_FILES.kernel)),
    initramfs: await readFile(join(LAB_FIXTURE_DIR, LAB_FILES.initramfs)),
    rootfs: await readFile(join(LAB_FIXTURE_DIR, LAB_FILES.rootfs)),
  });
  const one = async (name: string, to: string, more: string[]): Promise<UpgradeStick> => {
    const started = Date.now();
    const content = join(dir, `${name}-content`);
    const argv = contentArgs(side, content, ['--quiet', ...more]);
    argv[argv.indexOf('--openshift') + 1] = to;
    await fyr(argv, side.env);
    const iso = join(dir, `${name}.iso`);
    await fyr([...labRelease(content, iso), '--no-checksum']);
    const media = join(dir, `${name}-media`);
    await execa('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', '/', media]);
    return { iso, media, seconds: (Date.now() - started) / 1000 };
  };
  try {
    await side.signRelease(UPGRADE_TO);
    await side.signRelease(FULL_TO);
    const delta = await one('upgrade', UPGRADE_TO, ['--from', '4.18.9', '--delta-from', baseRelease]);
    const full = await one('upgrade-full', FULL_TO, ['--from', UPGRADE_TO]);
    return { delta, full };
  } finally {
    await side.close();
  }
}
