// The hostile-ISO part of the corpus: mutants of a fresh release (mutator.ts, fixed seed) through
// fyr inspect --verify, fyr build and fyr customize, each verdict classified against where the
// damage lies, plus files that are not ISOs at all (empty, truncated, a FIFO, /dev/zero).
import { execFileSync } from 'node:child_process';
import { closeSync, copyFileSync, openSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isoMd5Layout } from '../../src/iso9660/isomd5.js';
import { PVD_OFFSET, readPrimaryVolume, SECTOR, walkIso } from '../../src/iso9660/read.js';
import { fileReader } from '../../src/util/fs.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { makeTestRelease } from '../helpers/release.js';
import { mutations, type Region } from './mutator.js';

export const SEED = 32;
const SITE = 'examples/edge/site.yaml';
const ENV = { SOURCE_DATE_EPOCH: '1764547200' };
// Files a reader or firmware trusts without fyr's payload sums: the boot files (literal here,
// not taken from fyr's code, so the test can disagree with it).
const BOOT = /^\/(isolinux|efi|boot)\/|^\/images\/(efiboot|eltorito)\.img$/i;

export interface IsoCounts {
  mutants: number;
  falseAccepts: number;
  internalErrors: number;
  outsideMutants: number;
  outsideAccepted: number;
  // In file data (fyr's payload, the installer's kernel and images): build and customize may
  // accept these, inspect --verify must not.
  payloadMutants: number;
  // Accepted by build or customize although the site ISO's media check then fails: only payload
  // mutants may do that (left to --verify).
  badSiteIsos: number;
  notIsos: number;
  failures: string[];
}

// Garbage of the last input collected before the next, so the peak is one input's (the child
// runs with --expose-gc).
export const collect = () => (globalThis as { gc?: () => void }).gc?.();

const isInternal = (r: CliResult) => r.code === 70 || /internal error|\n\s+at .+:\d+/.test(r.stderr);

// The release the mutants are made from: built by the caller (fyr release's own memory is not
// part of what the corpus measures).
export async function makeCorpusRelease(dir: string): Promise<string> {
  return (await makeTestRelease(dir, 'el9')).release;
}

export async function isoCorpus(dir: string, release: string, count: number): Promise<IsoCounts> {
  const fd = openSync(release, 'r');
  const read = fileReader(fd);
  const volume = readPrimaryVolume(read);
  const entries = walkIso(read, volume);
  const layout = isoMd5Layout(read(PVD_OFFSET, SECTOR));
  const appData = layout.appDataAt;
  const extentOf = (path: string) => entries.find((e) => e.path === path)!.extents[0]!;
  const firstArea = Math.min(extentOf('/ks.cfg').offset, extentOf('/fyr/site.tar').offset);
  const json = extentOf('/release.json');
  const dataOf = entries.filter((e) => !e.directory).flatMap((e) => e.extents.map((x) => ({ path: e.path, ...x })));
  const inFileData = (offset: number) => dataOf.find((x) => offset >= x.offset && offset < x.offset + x.length);
  const regions: Region[] = [
    { name: 'system area', from: 0, to: PVD_OFFSET, weight: 3 },
    { name: 'volume descriptors', from: PVD_OFFSET, to: PVD_OFFSET + 4 * SECTOR, weight: 3 },
    ...entries
      .filter((e) => e.directory)
      .map((e) => ({
        name: `directory ${e.path}`,
        from: e.extents[0]!.offset,
        to: e.extents[0]!.offset + 512,
        weight: 0.3,
      })),
    { name: 'root directory', from: volume.root.offset, to: volume.root.offset + volume.root.length, weight: 2 },
    ...dataOf
      .filter((x) => BOOT.test(x.path) && x.length > 0)
      .map((x) => ({ name: `boot file ${x.path}`, from: x.offset, to: x.offset + x.length, weight: 0.3 })),
    ...dataOf
      .filter((x) => x.path.startsWith('/fyr/payload/') && x.length > 0)
      .map((x) => ({ name: `payload ${x.path}`, from: x.offset, to: x.offset + x.length, weight: 0.2 })),
    { name: 'release.json', from: json.offset, to: json.offset + 4096, weight: 1.5 },
    { name: 'before the areas', from: 0, to: firstArea, weight: 1 },
    { name: 'embed areas', from: firstArea, to: json.offset, weight: 0.5 },
  ].filter((r) => r.to <= layout.hashedLength);
  const plan = mutations(read, regions, count, SEED);

  const counts: IsoCounts = {
    mutants: plan.length,
    falseAccepts: 0,
    internalErrors: 0,
    outsideMutants: 0,
    outsideAccepted: 0,
    payloadMutants: 0,
    badSiteIsos: 0,
    notIsos: 0,
    failures: [],
  };
  const bad = join(dir, 'mutant.iso');
  const work = join(dir, 'customized.iso');
  const out = join(dir, 'site.iso');
  copyFileSync(release, bad);
  const mediaCheckPasses = (iso: string) => {
    try {
      execFileSync('checkisomd5', [iso], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  for (const m of plan) {
    const label = `${m.region} @${m.offset} ${m.kind}${inFileData(m.offset) ? ` (in ${inFileData(m.offset)!.path})` : ''}`;
    const w = openSync(bad, 'r+');
    writeSync(w, m.bytes, 0, m.bytes.length, m.offset);
    closeSync(w);
    const file = inFileData(m.offset);
    // The media-check field is rewritten by build and customize: a change there is harmless.
    const inField = m.offset + m.bytes.length > appData && m.offset < appData + 512;
    const outside = m.offset < firstArea && !inField && (file === undefined || BOOT.test(file.path));
    // File data (fyr's payload, the installer's kernel and images): left to --verify.
    const payload = m.offset < firstArea && file !== undefined && !BOOT.test(file.path);
    if (outside) counts.outsideMutants++;
    else if (payload) counts.payloadMutants++;

    const verify = await runCli(['inspect', bad, '--verify']);
    if (isInternal(verify)) (counts.internalErrors++, counts.failures.push(`inspect: internal error: ${label}`));
    else if (verify.code === 0) (counts.falseAccepts++, counts.failures.push(`inspect --verify accepted: ${label}`));

    copyFileSync(bad, work);
    // Collected after each command, not only each mutant: the peak measured is one command's,
    // not the garbage of three (under CI's load it reached 228 MB that way).
    collect();
    const build = await runCli(['build', SITE, '--release', bad, '-o', out, '--force', '--no-seal', '--quiet'], ENV);
    collect();
    const runs = { build, customize: await runCli(['customize', work, '--site', SITE, '--no-seal', '--quiet'], ENV) };
    for (const [name, r] of Object.entries(runs)) {
      if (isInternal(r)) {
        counts.internalErrors++;
        counts.failures.push(`${name}: internal error: ${label}: ${r.stderr.slice(0, 200)}`);
      } else if (r.code === 0 && outside) {
        counts.outsideAccepted++;
        counts.failures.push(`${name} accepted a mutant outside the payload: ${label}`);
      } else if (r.code === 0 && !payload && !mediaCheckPasses(name === 'build' ? out : work)) {
        counts.badSiteIsos++;
        counts.failures.push(`${name} made a site ISO whose media check fails: ${label}`);
      }
    }
    collect();
    const back = openSync(bad, 'r+');
    writeSync(back, read(m.offset, m.bytes.length), 0, m.bytes.length, m.offset);
    closeSync(back);
  }

  closeSync(fd);
  // Files that are not release ISOs at all.
  const empty = join(dir, 'empty.iso');
  writeFileSync(empty, '');
  const truncated = join(dir, 'truncated.iso');
  copyFileSync(release, truncated);
  truncateSync(truncated, firstArea + 4096);
  const fifo = join(dir, 'fifo.iso');
  execFileSync('mkfifo', [fifo]);
  for (const iso of [empty, truncated, fifo, '/dev/zero', dir]) {
    counts.notIsos++;
    for (const argv of [
      ['inspect', iso, '--verify'],
      ['build', SITE, '--release', iso, '-o', out, '--force', '--no-seal', '--quiet'],
    ]) {
      const r = await runCli(argv, ENV);
      if (isInternal(r)) (counts.internalErrors++, counts.failures.push(`${argv[0]} ${iso}: internal error`));
      else if (r.code === 0) (counts.falseAccepts++, counts.failures.push(`${argv[0]} accepted ${iso}`));
    }
  }
  return counts;
}
