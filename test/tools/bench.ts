// make bench: fyr release on a release ISO of at least 4 GiB built from synthetic content,
// against baselines measured in the same run on the same files, warm and cold page cache, each
// figure taken FYR_BENCH_REPEAT (3) times, interleaved, best and median shown:
//   floor       max(`cat` of every input + `cp` of the finished ISO, `md5sum` of it): the bytes
//               must be read and written, and the media-check MD5 fyr implants is one sequential
//               stream that nothing can split, so neither can be beaten. Goal: fyr <= 1.15x.
//   where       fyr's own account of its best run (FYR_TIMINGS=1): what the time above the
//               floor is spent on
//   mkksiso     extract the menus and the ESP, edit them, `xorriso -indev -outdev ... -boot_image
//               any replay` to a file, then `implantisomd5` (lorax mkksiso's steps)
// and peak RSS of fyr and of the xorriso it runs. Targets: at least 1.5x faster than mkksiso,
// under 150 MB. Then the fast path: fyr build of a sealed site against cp of the same release,
// warm, warm with `sync` after each, and cold (goal: >= 0.9x cp's throughput), with its parts;
// fyr customize in place (target < 1 s) with checkisomd5 after it, a mkksiso-style per-site
// rewrite, and build's peak RSS on 1 GiB and 4 GiB releases. The OUTPUT.sha256 files fyr writes
// by default are left out of the goals (--no-checksum) and measured apart: the sha256 is one more
// sequential pass over the image, beside sha256sum. Last, the upgrade merge of a new release's
// registry tree into the bastion's copy of the old one against cp of the same new files
// (test/tools/bench-merge.ts; goal: within 1.2x); FYR_BENCH_ONLY=merge runs it alone.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { ISO_FIXTURE_DIR } from './iso-fixtures.js';
import {
  best,
  loadAverage,
  median,
  parseTimings,
  partMs,
  timingLines,
  type Timings,
  dropCaches,
} from './bench-timings.js';
import { deltaFigures } from './bench-delta.js';
import { mergeFigures } from './bench-merge.js';

const DIR = process.env.FYR_BENCH_DIR ?? 'out/bench';
// The fyr measured: dist/ by default, or a copy of it (FYR_BENCH_CLI=out/dist-x/cli/main.js), so a
// make build elsewhere during the run does not pull it away, and two builds can be compared.
const FYR = process.env.FYR_BENCH_CLI ?? 'dist/cli/main.js';
const GIB = 1024 ** 3;
const BASE = join(ISO_FIXTURE_DIR, 'el9.iso');

const FILES = [
  { path: 'rhcos/rhcos-live-kernel-x86_64', role: 'rhcos-kernel', size: 12 << 20 },
  { path: 'rhcos/rhcos-live-initramfs.x86_64.img', role: 'rhcos-initramfs', size: 100 << 20 },
  { path: 'rhcos/rhcos-live-rootfs.x86_64.img', role: 'rhcos-rootfs', size: 1000 << 20 },
  { path: 'rhcos/rhcos-metal.x86_64.raw.gz', role: 'rhcos-metal', size: 900 << 20 },
  { path: 'bin/openshift-install', role: 'openshift-install', size: 400 << 20 },
  { path: 'bin/oc', role: 'oc', size: 150 << 20 },
  { path: 'mirror/mirror_seq1_000000.tar', role: 'release-mirror', size: 1500 << 20 },
  { path: 'registry/registry.tar', role: 'registry-image', size: 150 << 20 },
];

function makeContent(dir: string, scale = 1): void {
  const block = Buffer.alloc(4 << 20);
  for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((Math.imul(i, 2654435761) ^ (i >>> 7)) >>> 0, i);
  const files = FILES.map((spec) => {
    const f = { ...spec, size: Math.round(spec.size * scale) };
    const file = join(dir, f.path);
    mkdirSync(join(file, '..'), { recursive: true });
    const hash = createHash('sha256');
    const fd = openSync(file, 'w');
    for (let left = f.size, n = 0; left > 0; left -= block.length, n++) {
      block.writeUInt32LE(n, 0);
      const part = block.subarray(0, Math.min(left, block.length));
      writeSync(fd, part);
      hash.update(part);
    }
    closeSync(fd);
    return { ...f, sha256: hash.digest('hex') };
  });
  writeFileSync(
    join(dir, 'fyr-content.json'),
    JSON.stringify({ format: 'fyr-content/1', release: { name: 'bench', openshift: '4.16.3' }, files }, null, 2),
  );
}

// Peak RSS (VmHWM) of a process and its children, polled until it exits; FYR_TIMINGS parts.
async function timed(
  file: string,
  args: string[],
): Promise<{ seconds: number; peakMb: Record<string, number>; timings: Timings }> {
  const started = performance.now();
  const child = execa(file, args, {
    stdout: 'ignore',
    stderr: 'pipe',
    env: { SOURCE_DATE_EPOCH: '1700000000', FYR_TIMINGS: '1' },
  });
  const peaks: Record<string, number> = {};
  const poll = setInterval(() => {
    for (const pid of [child.pid, ...childrenOf(child.pid)]) {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const name = /^Name:\s+(\S+)/m.exec(status)?.[1] ?? String(pid);
        const kb = Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1] ?? 0);
        peaks[name] = Math.max(peaks[name] ?? 0, kb / 1024);
      } catch {
        // exited between listing and reading
      }
    }
  }, 50);
  let stderr: string;
  try {
    stderr = (await child).stderr;
  } finally {
    clearInterval(poll);
  }
  return { seconds: (performance.now() - started) / 1000, peakMb: peaks, timings: parseTimings(stderr) };
}

function childrenOf(pid: number | undefined): number[] {
  if (pid === undefined) return [];
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function mkksisoStyle(content: string, work: string, out: string): Promise<number> {
  const started = performance.now();
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const menus = ['isolinux/isolinux.cfg', 'EFI/BOOT/grub.cfg', 'images/efiboot.img'];
  await execa('osirrox', [
    '-indev',
    BASE,
    '-chmod_r',
    'u+rwx',
    '/',
    '--',
    ...menus.flatMap((m) => ['-extract', `/${m}`, join(work, m)]),
    '-rollback_end',
  ]);
  const ks = 'inst.ks=hd:LABEL=RHEL-9-4-0-BaseOS-x86_64:/ks.cfg';
  for (const m of menus.slice(0, 2))
    writeFileSync(join(work, m), readFileSync(join(work, m), 'utf8').replace(/(inst\.stage2=\S+)/g, `$1 ${ks}`));
  await execa(
    'mcopy',
    ['-o', '-i', join(work, 'images/efiboot.img'), join(work, 'EFI/BOOT/grub.cfg'), '::/EFI/BOOT/grub.cfg'],
    { env: { MTOOLS_SKIP_CHECK: '1' } },
  );
  writeFileSync(join(work, 'ks.cfg'), '# kickstart\n');
  const maps = FILES.flatMap((f) => ['-map', join(content, f.path), `/fyr/payload/${f.path}`]);
  await execa(
    'xorriso',
    [
      '-indev',
      BASE,
      '-outdev',
      out,
      '-boot_image',
      'any',
      'replay',
      ...menus.flatMap((m) => ['-update', join(work, m), `/${m}`]),
      '-map',
      join(work, 'ks.cfg'),
      '/ks.cfg',
      ...maps,
      '-compliance',
      'iso_9660_level=3',
    ],
    { env: { LANG: 'C' } },
  );
  await execa('implantisomd5', [out]);
  return (performance.now() - started) / 1000;
}

const canDrop = dropCaches();

// Every measurement starts from the same memory state: dirty pages written out, the page cache
// emptied (as root), and for a warm run the inputs read in. Without this, whichever step runs
// while memory is full of other cached files pays for reclaiming it.
async function settle(cache: 'warm' | 'cold', warm: readonly string[]): Promise<void> {
  await execa('sync');
  dropCaches();
  if (cache === 'warm') await execa('cat', [...warm], { stdout: 'ignore' });
}

const REPEAT = Number(process.env.FYR_BENCH_REPEAT ?? 3);
const since = (t: number) => (performance.now() - t) / 1000;
const bm = (xs: readonly number[]) => `${best(xs).toFixed(1)}/${median(xs).toFixed(1)} s`;
// The .sha256 beside the output (fyr 0.x has it on by default) is measured apart from the goals.
const hasNoChecksum = (command: string) =>
  execa('node', [FYR, command, '--help']).then((r) => r.stdout.includes('--no-checksum'));

async function releaseFigures(content: string, release: string): Promise<string[]> {
  const copy = join(DIR, 'copy.iso');
  const mk = join(DIR, 'mkksiso.iso');
  const inputs = [BASE, ...FILES.map((f) => join(content, f.path))];
  const noChecksum = (await hasNoChecksum('release')) ? ['--no-checksum'] : [];
  const fyrRelease = (extra: string[] = noChecksum) =>
    timed('node', [
      FYR,
      'release',
      '--base',
      BASE,
      '--content',
      content,
      '-o',
      release,
      '--force',
      '--quiet',
      ...extra,
    ]);
  const rows: string[] = [];
  for (const cache of ['warm', 'cold'] as const) {
    if (cache === 'cold' && !canDrop) {
      rows.push('cold cache: skipped (cannot write /proc/sys/vm/drop_caches; run as root)');
      continue;
    }
    const load = await loadAverage();
    const m = { fyr: [] as number[], cat: [] as number[], cp: [] as number[], md5: [] as number[] };
    const runs: Awaited<ReturnType<typeof timed>>[] = [];
    for (let i = 0; i < REPEAT; i++) {
      // The output does not exist before, as cp's does not.
      for (const f of [release, copy]) rmSync(f, { force: true });
      await settle(cache, inputs);
      const fyr = await fyrRelease();
      runs.push(fyr);
      m.fyr.push(fyr.seconds);
      await settle(cache, inputs);
      let t = performance.now();
      await execa('cat', inputs, { stdout: 'ignore' });
      m.cat.push(since(t));
      await settle(cache, [release]);
      t = performance.now();
      await execa('cp', [release, copy]);
      m.cp.push(since(t));
      rmSync(copy, { force: true });
      await settle(cache, [release]);
      t = performance.now();
      await execa('md5sum', [release], { stdout: 'ignore' });
      m.md5.push(since(t));
    }
    const size = statSync(release).size;
    const floors = m.cat.map((c, i) => Math.max(c + m.cp[i]!, m.md5[i]!));
    const fastest = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    // The OUTPUT.sha256 (default): fyr release as a user runs it, beside sha256sum of the ISO.
    let checksum = '';
    if (noChecksum.length > 0) {
      rmSync(release, { force: true });
      await settle(cache, inputs);
      const withSum = await fyrRelease([]);
      await settle(cache, [release]);
      const t = performance.now();
      await execa('sha256sum', [release], { stdout: 'ignore' });
      const sum = since(t);
      checksum =
        `\n  with OUTPUT.sha256 (the default): fyr release ${withSum.seconds.toFixed(1)} s, ` +
        `${(withSum.seconds / best(floors)).toFixed(2)}x the best floor; sha256sum of the ISO alone ${sum.toFixed(1)} s ` +
        `(the sha256 needs the implanted MD5 near the image's start: one more pass after it)`;
      rmSync(`${release}.sha256`, { force: true });
    }
    await settle(cache, inputs);
    const mkSeconds = await mkksisoStyle(content, join(DIR, 'mkksiso-work'), mk);
    rmSync(mk, { force: true });
    const fyrRss = Math.max(
      ...Object.entries(fastest.peakMb)
        .filter(([n]) => n !== 'xorriso')
        .map(([, v]) => v),
    );
    rows.push(
      `${cache} cache, release ISO ${(size / GIB).toFixed(2)} GiB (best/median of ${REPEAT}; load average ${load}):\n` +
        `  fyr release ${noChecksum.join(' ')}   ${bm(m.fyr)}\n` +
        `  floor: max(cat inputs ${bm(m.cat)} + cp ${bm(m.cp)}, md5sum ${bm(m.md5)}) = ${bm(floors)}\n` +
        `  fyr/floor                 ${(best(m.fyr) / best(floors)).toFixed(2)}x best, ${(median(m.fyr) / median(floors)).toFixed(2)}x median   (goal <= 1.15x)\n` +
        `  fyr/md5sum                ${(best(m.fyr) / best(m.md5)).toFixed(2)}x best, ${(median(m.fyr) / median(m.md5)).toFixed(2)}x median   (the part of the floor no disk changes)\n` +
        `${aboveFloor(fastest, best(floors), best(m.md5))}\n` +
        `  where its best run's time goes (FYR_TIMINGS=1):\n${timingLines(fastest.timings).join('\n')}` +
        `${checksum}\n` +
        `  mkksiso-style pipeline    ${mkSeconds.toFixed(1)} s   mkksiso/fyr ${(mkSeconds / best(m.fyr)).toFixed(2)}x faster   (target >= 1.5x)\n` +
        `  peak RSS                  fyr ${fyrRss.toFixed(0)} MB (target < 150 MB), xorriso ${(fastest.peakMb.xorriso ?? 0).toFixed(0)} MB`,
    );
  }
  return rows;
}

// fyr release's time above the floor, from its parts: what comes before the payload copy (no
// byte of the payload moves yet), the copy itself against md5sum alone, and what follows it.
function aboveFloor(run: Awaited<ReturnType<typeof timed>>, floor: number, md5: number): string {
  const parts = run.timings.parts;
  const copyAt = parts.findIndex((p) => p.label.startsWith('payload read'));
  if (copyAt < 0) return '  (no FYR_TIMINGS parts: an older dist/?)';
  const before = parts[copyAt - 1]!.at / 1000;
  const copy = parts[copyAt]!.ms / 1000;
  const after = run.seconds - before - copy;
  const startUp = partMs(run.timings, /start-up|modules loaded/) / 1000;
  return (
    `  above the floor: ${(run.seconds - floor).toFixed(1)} s. Before the payload copy ${before.toFixed(1)} s ` +
    `(start-up ${startUp.toFixed(1)} s, content check, boot files, base copy, xorriso); the copy ${copy.toFixed(1)} s ` +
    `against md5sum's ${md5.toFixed(1)} s; after it ${after.toFixed(1)} s (MD5 over the areas and release.json, rename, exit)`
  );
}

async function main() {
  mkdirSync(DIR, { recursive: true });
  if (process.env.FYR_BENCH_ONLY === 'merge') {
    console.log(`\n${(await mergeFigures(DIR)).join('\n')}\n`);
    return;
  }
  if (process.env.FYR_BENCH_ONLY === 'delta') {
    console.log(`\n${(await deltaFigures(DIR)).join('\n')}\n`);
    return;
  }
  const content = join(DIR, 'content');
  if (!statSync(join(content, 'fyr-content.json'), { throwIfNoEntry: false })) {
    console.log(
      `bench: writing ${(FILES.reduce((n, f) => n + f.size, 0) / GIB).toFixed(2)} GiB of synthetic content to ${content}`,
    );
    makeContent(content);
  }
  const release = join(DIR, 'release.iso');
  // Each section is printed when it is done: a long run that fails later keeps what it measured.
  if (process.env.FYR_BENCH_ONLY !== 'build')
    console.log(`\n${(await releaseFigures(content, release)).join('\n\n')}\n`);
  if (process.env.FYR_BENCH_ONLY === 'release') return;
  // The fast path on the 4 GiB release, and on a 1 GiB one to show memory stays flat.
  const small = join(DIR, 'content-1g');
  if (!statSync(join(small, 'fyr-content.json'), { throwIfNoEntry: false })) makeContent(small, 0.25);
  const smallRelease = join(DIR, 'release-1g.iso');
  const releaseArgs = (from: string, to: string) => [
    FYR,
    'release',
    '--base',
    BASE,
    '--content',
    from,
    '-o',
    to,
    '--force',
    '--quiet',
  ];
  await timed('node', releaseArgs(small, smallRelease));
  const smallSite = await siteBench(smallRelease, false);
  if (!statSync(release, { throwIfNoEntry: false })) await timed('node', releaseArgs(content, release));
  const bigSite = await siteBench(release, true);
  console.log(
    `site ISO from the ${(statSync(release).size / GIB).toFixed(2)} GiB release, fyr build of a sealed site (best/median of ${REPEAT}):\n` +
      `${bigSite.rows.join('\n')}\n` +
      `  mkksiso-style per site    ${bigSite.mkksiso.toFixed(1)} s (xorriso replay rewrite + implantisomd5, warm)   mkksiso/fyr build ${(bigSite.mkksiso / bigSite.warmBuild).toFixed(2)}x\n` +
      `  fyr customize (cold cache) ${bigSite.customizeMs.toFixed(0)} ms in fyr, ${bigSite.customizeProcess.toFixed(2)} s with Node start-up   (target < 1 s); checkisomd5 after it: ${bigSite.mediaCheck}\n` +
      `  peak RSS of fyr build     ${smallSite.rss.toFixed(0)} MB on ${(statSync(smallRelease).size / GIB).toFixed(2)} GiB, ${bigSite.rss.toFixed(0)} MB on ${(statSync(release).size / GIB).toFixed(2)} GiB   (target < 150 MB, flat)`,
  );
  for (const f of [
    release,
    smallRelease,
    `${release}.md5state.json`,
    `${smallRelease}.md5state.json`,
    `${release}.sha256`,
    `${smallRelease}.sha256`,
  ])
    rmSync(f, { force: true });
  console.log(`\n${(await mergeFigures(DIR)).join('\n')}\n`);
  console.log(`\n${(await deltaFigures(DIR)).join('\n')}\n`);
}

const EDGE = 'examples/edge/site.yaml';
const SNO = 'examples/single-node/site.yaml';

// cp of the release against fyr build of a sealed site (the seal's scrypt included), warm,
// warm with `sync` after each (the same for both: the kernel's writeback of the whole copy),
// and cold; then fyr customize and a mkksiso-style per-site rewrite, same files.
async function siteBench(release: string, full: boolean) {
  const site = join(DIR, 'site.iso');
  const copy = join(DIR, 'copy.iso');
  const mk = join(DIR, 'mkksiso-site.iso');
  for (const f of [site, copy, mk]) rmSync(f, { force: true });
  const seal = ['--unlock-code-file', 'test/fixtures/unlock-code.txt'];
  const noChecksum = (await hasNoChecksum('build')) ? ['--no-checksum'] : [];
  const build = (extra: string[] = noChecksum) =>
    timed('node', [FYR, 'build', EDGE, '--release', release, '-o', site, '--quiet', ...seal, ...extra]);
  const rows: string[] = [];
  let rss = 0;
  let warmBuild = 0;
  const variants = full
    ? ([
        ['warm', false],
        ['warm', true],
        ['cold', false],
      ] as const)
    : ([['warm', false]] as const);
  for (const [cache, sync] of variants) {
    if (cache === 'cold' && !canDrop) continue;
    const load = await loadAverage();
    const m = { cp: [] as number[], fyr: [] as number[] };
    const runs: Awaited<ReturnType<typeof timed>>[] = [];
    for (let i = 0; i < (full ? REPEAT : 1); i++) {
      await settle(cache, [release]);
      let t = performance.now();
      await execa('cp', [release, copy]);
      if (sync) await execa('sync');
      m.cp.push(since(t));
      rmSync(copy, { force: true });
      await settle(cache, [release]);
      t = performance.now();
      const run = await build();
      if (sync) await execa('sync');
      m.fyr.push(since(t));
      runs.push(run);
      rss = Math.max(rss, ...Object.values(run.peakMb));
      rmSync(site, { force: true });
    }
    if (cache === 'warm' && !sync) warmBuild = median(m.fyr);
    const fastest = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const name = `${cache}${sync ? ', then sync' : ''}`;
    const lines = [
      `  ${name} (load average ${load}): cp ${bm(m.cp)}, fyr build ${noChecksum.join(' ')} ${bm(m.fyr)}   ` +
        `throughput vs cp ${(best(m.cp) / best(m.fyr)).toFixed(2)}x best, ${(median(m.cp) / median(m.fyr)).toFixed(2)}x median   (goal >= 0.9x)`,
      `    its best run's parts (FYR_TIMINGS=1${sync ? '; the sync after it not included' : ''}):`,
      ...timingLines(fastest.timings, '    '),
    ];
    rows.push(...lines);
    // As it goes; the section's summary follows at the end.
    if (full) console.log(lines.join('\n'));
  }
  const result = { rows, rss, warmBuild, customizeMs: 0, customizeProcess: 0, mkksiso: 0, mediaCheck: 'not run' };
  if (!full) return result;
  // fyr build as a user runs it, with OUTPUT.sha256 (the sha256 of the whole image beside the
  // copy), against cp + sha256sum of the copy.
  if (noChecksum.length > 0) {
    await settle('warm', [release]);
    let t = performance.now();
    await execa('cp', [release, copy]);
    await execa('sha256sum', [copy], { stdout: 'ignore' });
    const cpSum = since(t);
    rmSync(copy, { force: true });
    await settle('warm', [release]);
    t = performance.now();
    const withSum = await build([]);
    rows.push(
      `  warm, with OUTPUT.sha256 (the default): fyr build ${withSum.seconds.toFixed(1)} s against cp + sha256sum ${cpSum.toFixed(1)} s   (${(cpSum / withSum.seconds).toFixed(2)}x)`,
    );
    for (const f of [site, `${site}.sha256`]) rmSync(f, { force: true });
  }
  await settle('warm', [release]);
  await build();
  await settle('cold', []);
  let t = performance.now();
  const customized = await execa('node', [FYR, 'customize', site, '--site', SNO, '--json', ...seal]);
  result.customizeProcess = (performance.now() - t) / 1000;
  result.customizeMs = JSON.parse(customized.stdout).milliseconds;
  const check = await execa('checkisomd5', [site], { reject: false });
  result.mediaCheck = check.exitCode === 0 ? 'PASS' : 'FAIL';
  const ks = join(DIR, 'ks.cfg');
  writeFileSync(ks, '# kickstart\n');
  rmSync(site, { force: true });
  await settle('warm', [release]);
  t = performance.now();
  await execa('xorriso', ['-indev', release, '-outdev', mk, '-boot_image', 'any', 'replay', '-update', ks, '/ks.cfg'], {
    env: { LANG: 'C' },
  });
  await execa('implantisomd5', ['-f', mk]);
  result.mkksiso = (performance.now() - t) / 1000;
  for (const f of [site, mk, `${site}.sha256`]) rmSync(f, { force: true });
  return result;
}

await main();
