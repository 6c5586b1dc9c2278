// make bench: fyr release on a release ISO of at least 4 GiB built from synthetic content,
// against baselines measured in the same run on the same files:
//   read+write  `cat` of every input to /dev/null, plus `cp` of the finished release ISO (and,
//               for information, `dd oflag=direct` of it: fyr writes the payload with O_DIRECT,
//               and `md5sum` of it: the media-check MD5 fyr implants, one stream on one core,
//               which no copy pays and which bounds fyr release from below)
//   mkksiso     extract the menus and the ESP, edit them, `xorriso -indev -outdev ... -boot_image
//               any replay` to a file, then `implantisomd5` (lorax mkksiso's steps)
// and peak RSS of fyr and of the xorriso it runs. Targets: within 1.2x of read+write, at least
// 1.5x faster than mkksiso, under 150 MB. Then the fast path: fyr build against cp of the same
// release (target >= 0.9x its throughput), fyr customize in place (target < 1 s) with checkisomd5
// after it, a mkksiso-style per-site rewrite, and build's peak RSS on 1 GiB and 4 GiB releases.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { ISO_FIXTURE_DIR } from './iso-fixtures.js';

const DIR = process.env.FYR_BENCH_DIR ?? 'out/bench';
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

// Peak RSS (VmHWM) of a process and its children, polled until it exits.
async function timed(file: string, args: string[]): Promise<{ seconds: number; peakMb: Record<string, number> }> {
  const started = performance.now();
  const child = execa(file, args, { stdout: 'ignore', stderr: 'inherit', env: { SOURCE_DATE_EPOCH: '1700000000' } });
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
  try {
    await child;
  } finally {
    clearInterval(poll);
  }
  return { seconds: (performance.now() - started) / 1000, peakMb: peaks };
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

const dropCaches = () => {
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '3');
    return true;
  } catch {
    return false;
  }
};
const canDrop = dropCaches();

// Every measurement starts from the same memory state: dirty pages written out, the page cache
// emptied (as root), and for a warm run the inputs read in. Without this, whichever step runs
// while memory is full of other cached files pays for reclaiming it.
async function settle(cache: 'warm' | 'cold', warm: readonly string[]): Promise<void> {
  await execa('sync');
  dropCaches();
  if (cache === 'warm') await execa('cat', [...warm], { stdout: 'ignore' });
}

async function main() {
  mkdirSync(DIR, { recursive: true });
  const content = join(DIR, 'content');
  if (!statSync(join(content, 'fyr-content.json'), { throwIfNoEntry: false })) {
    console.log(
      `bench: writing ${(FILES.reduce((n, f) => n + f.size, 0) / GIB).toFixed(2)} GiB of synthetic content to ${content}`,
    );
    makeContent(content);
  }
  const release = join(DIR, 'release.iso');
  const copy = join(DIR, 'copy.iso');
  const mk = join(DIR, 'mkksiso.iso');
  const inputs = [BASE, ...FILES.map((f) => join(content, f.path))];
  const rows: string[] = [];
  for (const cache of ['warm', 'cold'] as const) {
    for (const f of [release, copy, mk]) rmSync(f, { force: true });
    if (cache === 'cold' && !canDrop) {
      rows.push('cold cache: skipped (cannot write /proc/sys/vm/drop_caches; run as root)');
      continue;
    }
    await settle(cache, inputs);
    const fyr = await timed('node', [
      'dist/cli/main.js',
      'release',
      '--base',
      BASE,
      '--content',
      content,
      '-o',
      release,
      '--force',
      '--quiet',
    ]);
    const size = statSync(release).size;
    await settle(cache, inputs);
    let t = performance.now();
    await execa('cat', inputs, { stdout: 'ignore' });
    const read = (performance.now() - t) / 1000;
    await settle(cache, [release]);
    t = performance.now();
    await execa('cp', [release, copy]);
    const write = (performance.now() - t) / 1000;
    rmSync(copy, { force: true });
    // Not a target: the same bytes written past the page cache, as fyr writes the payload.
    await settle(cache, [release]);
    t = performance.now();
    await execa('dd', [`if=${release}`, `of=${copy}`, 'bs=4M', 'oflag=direct', 'status=none']);
    const direct = (performance.now() - t) / 1000;
    rmSync(copy, { force: true });
    // Not a target either: the media-check MD5 fyr implants, alone (one stream, one core).
    await settle(cache, [release]);
    t = performance.now();
    await execa('md5sum', [release], { stdout: 'ignore' });
    const md5 = (performance.now() - t) / 1000;
    await settle(cache, inputs);
    const mkSeconds = await mkksisoStyle(content, join(DIR, 'mkksiso-work'), mk);
    rmSync(mk, { force: true });
    const baseline = read + write;
    const fyrRss = Math.max(
      ...Object.entries(fyr.peakMb)
        .filter(([n]) => n !== 'xorriso')
        .map(([, v]) => v),
    );
    rows.push(
      `${cache} cache, release ISO ${(size / GIB).toFixed(2)} GiB:\n` +
        `  fyr release               ${fyr.seconds.toFixed(1)} s\n` +
        `  read+write baseline       ${baseline.toFixed(1)} s (cat inputs ${read.toFixed(1)} s + cp ${write.toFixed(1)} s)   fyr/baseline ${(fyr.seconds / baseline).toFixed(2)}x   (target <= 1.2x)\n` +
        `  (dd oflag=direct of the result ${direct.toFixed(1)} s: a write that skips the page cache, like fyr's)\n` +
        `  (md5sum of the result ${md5.toFixed(1)} s, ${(md5 / baseline).toFixed(2)}x the baseline: the media-check MD5 alone, the floor)\n` +
        `  mkksiso-style pipeline    ${mkSeconds.toFixed(1)} s   mkksiso/fyr ${(mkSeconds / fyr.seconds).toFixed(2)}x faster   (target >= 1.5x)\n` +
        `  peak RSS                  fyr ${fyrRss.toFixed(0)} MB (target < 150 MB), xorriso ${(fyr.peakMb.xorriso ?? 0).toFixed(0)} MB`,
    );
  }
  if (process.env.FYR_BENCH_ONLY === 'release') {
    console.log(`\n${rows.join('\n\n')}\n`);
    return;
  }
  // The fast path on the 4 GiB release, and on a 1 GiB one to show memory stays flat.
  const small = join(DIR, 'content-1g');
  if (!statSync(join(small, 'fyr-content.json'), { throwIfNoEntry: false })) makeContent(small, 0.25);
  const smallRelease = join(DIR, 'release-1g.iso');
  await timed('node', [
    'dist/cli/main.js',
    'release',
    '--base',
    BASE,
    '--content',
    small,
    '-o',
    smallRelease,
    '--force',
    '--quiet',
  ]);
  const smallSite = await siteBench(smallRelease, false);
  if (!statSync(release, { throwIfNoEntry: false }))
    await timed('node', [
      'dist/cli/main.js',
      'release',
      '--base',
      BASE,
      '--content',
      content,
      '-o',
      release,
      '--force',
      '--quiet',
    ]);
  const bigSite = await siteBench(release, true);
  rows.push(
    `site ISO from the ${(statSync(release).size / GIB).toFixed(2)} GiB release (warm cache):\n` +
      `  cp of the release         ${bigSite.cp.toFixed(1)} s\n` +
      `  fyr build                 ${bigSite.build.toFixed(1)} s   throughput vs cp ${(bigSite.cp / bigSite.build).toFixed(2)}x   (target >= 0.9x)\n` +
      `  mkksiso-style per site    ${bigSite.mkksiso.toFixed(1)} s (xorriso replay rewrite + implantisomd5)   mkksiso/fyr build ${(bigSite.mkksiso / bigSite.build).toFixed(2)}x\n` +
      `  fyr customize (cold cache) ${bigSite.customizeMs.toFixed(0)} ms in fyr, ${bigSite.customizeProcess.toFixed(2)} s with Node start-up   (target < 1 s); checkisomd5 after it: ${bigSite.mediaCheck}\n` +
      `  peak RSS of fyr build     ${smallSite.rss.toFixed(0)} MB on ${(statSync(smallRelease).size / GIB).toFixed(2)} GiB, ${bigSite.rss.toFixed(0)} MB on ${(statSync(release).size / GIB).toFixed(2)} GiB   (target < 150 MB, flat)`,
  );
  for (const f of [release, smallRelease, `${release}.md5state.json`, `${smallRelease}.md5state.json`])
    rmSync(f, { force: true });
  console.log(`\n${rows.join('\n\n')}\n`);
}

const EDGE = 'examples/edge/site.yaml';
const SNO = 'examples/single-node/site.yaml';

// cp of the release, fyr build, fyr customize and a mkksiso-style per-site rewrite, same files.
async function siteBench(release: string, full: boolean) {
  const site = join(DIR, 'site.iso');
  const copy = join(DIR, 'copy.iso');
  const mk = join(DIR, 'mkksiso-site.iso');
  for (const f of [site, copy, mk]) rmSync(f, { force: true });
  await settle('warm', [release]);
  let t = performance.now();
  await execa('cp', [release, copy]);
  const cp = (performance.now() - t) / 1000;
  rmSync(copy, { force: true });
  await settle('warm', [release]);
  // Sealed, as a user builds: the seal (scrypt, 32 MiB) runs before the copy.
  const seal = ['--unlock-code-file', 'test/fixtures/unlock-code.txt'];
  const build = await timed('node', [
    'dist/cli/main.js',
    'build',
    EDGE,
    '--release',
    release,
    '-o',
    site,
    '--quiet',
    ...seal,
  ]);
  const rss = Math.max(...Object.values(build.peakMb));
  const result = {
    cp,
    build: build.seconds,
    rss,
    customizeMs: 0,
    customizeProcess: 0,
    mkksiso: 0,
    mediaCheck: 'not run',
  };
  if (full) {
    await settle('cold', []);
    t = performance.now();
    const customized = await execa('node', ['dist/cli/main.js', 'customize', site, '--site', SNO, '--json', ...seal]);
    result.customizeProcess = (performance.now() - t) / 1000;
    result.customizeMs = JSON.parse(customized.stdout).milliseconds;
    const check = await execa('checkisomd5', [site], { reject: false });
    result.mediaCheck = check.exitCode === 0 ? 'PASS' : 'FAIL';
    const ks = join(DIR, 'ks.cfg');
    writeFileSync(ks, '# kickstart\n');
    rmSync(site, { force: true });
    await settle('warm', [release]);
    t = performance.now();
    await execa(
      'xorriso',
      ['-indev', release, '-outdev', mk, '-boot_image', 'any', 'replay', '-update', ks, '/ks.cfg'],
      { env: { LANG: 'C' } },
    );
    await execa('implantisomd5', ['-f', mk]);
    result.mkksiso = (performance.now() - t) / 1000;
  }
  for (const f of [site, mk]) rmSync(f, { force: true });
  return result;
}

await main();
