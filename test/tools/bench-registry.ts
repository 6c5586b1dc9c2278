// make bench, the registry figures (issue 17), each beside a baseline measured in the same run,
// warm and cold page cache:
//   serve     the site's payload phase from its start to the registry answering the release's
//             manifest: the tree served read-only where it lies (the stick), against today's
//             path: untar the mirror archive onto the disk, then push every image into the
//             registry (skopeo between two real registries stands in for oc image mirror
//             --from-dir). On 0.5 and 2 GiB of synthetic blobs. Goal: under 30 s, flat.
//   content   fyr content on a warm cache against sha256sum of the cached files. Goal: 1.2x.
//   release   fyr release carrying a registry tree of 5,000+ files against its floor: the larger
//             of read+write (cat of every input + cp of the result) and md5sum of the ISO (the
//             media-check MD5 fyr implants, one sequential stream nothing can split). Goal:
//             1.15x, with fyr's own account of where its time goes (FYR_TIMINGS=1). Beside it:
//             the same bytes as one file (today's payload). OUTPUT.sha256 (on by default) is
//             left out (--no-checksum): one more pass, measured in bench.ts.
import { execa } from 'execa';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { listTree } from '../../src/registry/tree.js';
import { connectedSide, contentArgs } from '../helpers/connected.js';
import { makeContent, makeContentV2 } from '../helpers/content.js';
import { skopeo, startRegistry, writeSyntheticTree, type TestRegistry } from '../helpers/registry.js';
import { ISO_FIXTURE_DIR } from './iso-fixtures.js';
import { loadAverage, parseTimings, timingLines, type Timings, dropCaches } from './bench-timings.js';

const DIR = resolve(process.env.FYR_BENCH_DIR ?? 'out/bench', 'registry');
// The fyr measured: dist/ by default, or a copy of it (FYR_BENCH_CLI=out/dist-x/cli/main.js), so a
// make build elsewhere during the run does not pull it away, and two builds can be compared.
const FYR = process.env.FYR_BENCH_CLI ?? 'dist/cli/main.js';
const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

// Warm: the inputs read in, and the programs too (node and fyr's modules, xorriso and its
// libraries: 0.8 s of fyr release's start when dropped, where cp's is nothing).
async function settle(cache: 'warm' | 'cold', files: readonly string[]): Promise<void> {
  await execa('sync');
  dropCaches();
  if (cache === 'cold') return;
  if (files.length > 0) await execa('xargs', ['-0', 'cat'], { input: files.join('\0'), stdout: 'ignore' });
  await execa('node', [FYR, 'release', '--help'], { stdout: 'ignore' });
  await execa('xorriso', ['-version'], { stdout: 'ignore', stderr: 'ignore' });
}
const since = (t: number) => (performance.now() - t) / 1000;
const treeFiles = async (root: string) => (await listTree(root)).map((f) => join(root, f.path));

// The registry answering the release manifest: /v2/ and then the manifest, polled.
async function answers(host: string, tag = 'openshift/release:synthetic-0'): Promise<void> {
  const [repo, ref] = tag.split(':');
  for (;;) {
    const r = await fetch(`http://${host}/v2/${repo}/manifests/${ref}`, {
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    }).catch(() => undefined);
    if (r?.status === 200) return;
    await new Promise((x) => setTimeout(x, 20));
  }
}

async function serveFigures(): Promise<string[]> {
  const rows: string[] = [];
  for (const gib of [0.5, 2]) {
    const work = join(DIR, `serve-${gib}`);
    const stick = join(work, 'stick');
    const tar = join(work, 'mirror.tar');
    if (!statSync(tar, { throwIfNoEntry: false })) {
      rmSync(work, { recursive: true, force: true });
      mkdirSync(work, { recursive: true });
      // 64 MiB layers: 8 to 32 images.
      writeSyntheticTree(stick, { images: Math.round((gib * GIB) / (64 * MIB)), layerBytes: 64 * MIB });
      await execa('tar', ['-cf', tar, '-C', stick, 'docker']);
    }
    const files = await treeFiles(stick);
    const images = files.filter((f) => f.includes('/_manifests/tags/') && f.endsWith('/current/link')).length;
    for (const cache of ['warm', 'cold'] as const) {
      if (cache === 'cold' && !dropCaches()) continue;
      // From the stick: start the registry read-only on the tree, ask for the manifest.
      await settle(cache, []);
      let t = performance.now();
      let r: TestRegistry = await startRegistry(stick, { dir: work, readonly: true });
      await answers(r.host);
      const served = since(t);
      await r.stop();
      // Today's path: untar onto the disk, then push each image into the registry's storage.
      const disk = join(work, 'disk');
      const pushed = join(work, 'pushed');
      rmSync(disk, { recursive: true, force: true });
      rmSync(pushed, { recursive: true, force: true });
      await settle(cache, []);
      t = performance.now();
      mkdirSync(disk, { recursive: true });
      await execa('tar', ['-xf', tar, '-C', disk]);
      const from = await startRegistry(disk, { dir: work });
      r = await startRegistry(pushed, { dir: work });
      for (let n = 0; n < images; n++) {
        const c = await skopeo([
          'copy',
          '--quiet',
          '--preserve-digests',
          '--src-tls-verify=false',
          '--dest-tls-verify=false',
          `docker://${from.host}/openshift/release:synthetic-${n}`,
          `docker://${r.host}/openshift/release:synthetic-${n}`,
        ]);
        if (c.exitCode !== 0) throw new Error(c.all);
      }
      await answers(r.host);
      const untarPush = since(t);
      await from.stop();
      await r.stop();
      rmSync(disk, { recursive: true, force: true });
      rmSync(pushed, { recursive: true, force: true });
      rows.push(
        `  ${cache} ${gib.toFixed(1)} GiB (${files.length} files): from the stick ${served.toFixed(2)} s   untar+push ${untarPush.toFixed(1)} s   ${(untarPush / served).toFixed(0)}x faster   (goal < 30 s, flat)`,
      );
    }
  }
  return ['payload phase start -> the registry answers the release manifest:', ...rows];
}

async function contentFigures(): Promise<string[]> {
  const work = join(DIR, 'content');
  rmSync(work, { recursive: true, force: true });
  const mib = (n: number) => n * MIB;
  const side = await connectedSide(join(work, 'side'), { kernel: mib(12), initramfs: mib(100), rootfs: mib(900) });
  const env = { ...side.env, FYR_DOUBLE_LAYER_BYTES: String(mib(128)) };
  const rows: string[] = [];
  try {
    const out = join(work, 'content');
    const first = await execa('node', [FYR, ...contentArgs(side, out, ['--quiet'])], {
      env,
      reject: false,
      all: true,
    });
    if (first.exitCode !== 0) throw new Error(first.all);
    const downloads = (await execa('find', [join(side.cache, 'downloads/sha256'), '-type', 'f'])).stdout
      .split('\n')
      .filter(Boolean);
    const registryRoot = (
      await execa('find', [join(side.cache, 'registry'), '-mindepth', '1', '-maxdepth', '1'])
    ).stdout.trim();
    const tree = await treeFiles(registryRoot);
    const all = [...downloads, ...tree];
    const bytes = all.reduce((n, f) => n + statSync(f).size, 0);
    for (const cache of ['warm', 'cold'] as const) {
      if (cache === 'cold' && !dropCaches()) continue;
      await settle(cache, all);
      let t = performance.now();
      const again = await execa('node', [FYR, ...contentArgs(side, out, ['--quiet', '--force'])], {
        env,
        reject: false,
        all: true,
      });
      if (again.exitCode !== 0) throw new Error(again.all);
      const fyr = since(t);
      await settle(cache, all);
      t = performance.now();
      await execa('sha256sum', all, { stdout: 'ignore' });
      const sum = since(t);
      rows.push(
        `  ${cache} cache, ${(bytes / GIB).toFixed(2)} GiB cached: fyr content ${fyr.toFixed(1)} s   sha256sum ${sum.toFixed(1)} s   ${(fyr / sum).toFixed(2)}x   (goal <= 1.2x)`,
      );
    }
  } finally {
    await side.close();
  }
  return ['fyr content, second run for the same version (nothing to download):', ...rows];
}

// The same bytes as today's payload: fyr-content/1 whose mirror archive is the tree's files
// concatenated (one large file), for the cost of carrying many files rather than one.
async function flatContent(tree: string, dir: string): Promise<void> {
  if (statSync(join(dir, 'fyr-content.json'), { throwIfNoEntry: false })) return;
  rmSync(dir, { recursive: true, force: true });
  const { manifest } = await makeContent(dir);
  const archive = join(dir, 'mirror/mirror_seq1_000000.tar');
  const files = await treeFiles(tree);
  const out = openSync(archive, 'w');
  for (const file of files) writeSync(out, readFileSync(file));
  closeSync(out);
  const sha256 = (await execa('sha256sum', [archive])).stdout.split(' ')[0]!;
  const doc = JSON.parse(readFileSync(manifest, 'utf8'));
  const entry = doc.files.find((f: { role: string }) => f.role === 'release-mirror');
  Object.assign(entry, { size: statSync(archive).size, sha256 });
  writeFileSync(manifest, `${JSON.stringify(doc, null, 2)}\n`);
}

// Where the copy began: the end of the part before "payload read, ...".
function beforeCopy(t: Timings): number {
  const copy = t.parts.findIndex((p) => p.label.startsWith('payload read'));
  return copy > 0 ? t.parts[copy - 1]!.at : Number.NaN;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const best = (xs: number[]) => Math.min(...xs);
const REPEAT = Number(process.env.FYR_BENCH_REPEAT ?? 3);

// Each figure is taken REPEAT times, interleaved, each after its own settle; the best and the
// median of each are shown, so neither side's ratio rests on one slow page cache.
async function releaseFigures(): Promise<string[]> {
  const work = join(DIR, 'release');
  const content = join(work, 'content');
  if (!statSync(join(content, 'fyr-content.json'), { throwIfNoEntry: false })) {
    rmSync(work, { recursive: true, force: true });
    // 700 images of 4 MiB layers: 5,600 files and 2.7 GiB in the tree (a release's tree has
    // thousands of files and tens of MiB per layer on average).
    await makeContentV2(content, { synthetic: 700, layerBytes: 4 * MIB });
  }
  const flat = join(work, 'content-flat');
  await flatContent(join(content, 'registry'), flat);
  const base = join(ISO_FIXTURE_DIR, 'el9.iso');
  const inputsOf = async (dir: string) => [
    base,
    ...(await execa('find', [dir, '-type', 'f'])).stdout.split('\n').filter(Boolean).sort(),
  ];
  const inputs = await inputsOf(content);
  const flatInputs = await inputsOf(flat);
  const release = join(work, 'release.iso');
  const copy = join(work, 'copy.iso');
  const noChecksum = (await execa('node', [FYR, 'release', '--help'])).stdout.includes('--no-checksum')
    ? ['--no-checksum']
    : [];
  const runs: Array<{ seconds: number; timings: Timings }> = [];
  const fyrRelease = async (from: string, warm: readonly string[], cache: 'warm' | 'cold') => {
    // The output does not exist before, as cp's does not: deleting a 3 GB file costs 0.6 s.
    rmSync(release, { force: true });
    await settle(cache, warm);
    const t = performance.now();
    const r = await execa(
      'node',
      [FYR, 'release', '--base', base, '--content', from, '-o', release, '--force', '--quiet', ...noChecksum],
      { env: { SOURCE_DATE_EPOCH: '1700000000', FYR_TIMINGS: '1' } },
    );
    const seconds = since(t);
    runs.push({ seconds, timings: parseTimings(r.stderr) });
    return seconds;
  };
  const timedCopy = async (cache: 'warm' | 'cold', argv: string[]) => {
    await settle(cache, [release]);
    const t = performance.now();
    await execa(argv[0]!, argv.slice(1));
    const s = since(t);
    rmSync(copy, { force: true });
    return s;
  };
  const rows: string[] = [];
  for (const cache of ['warm', 'cold'] as const) {
    if (cache === 'cold' && !dropCaches()) continue;
    const load = await loadAverage();
    const m: Record<string, number[]> = { flat: [], fyr: [], cat: [], cp: [], md5: [] };
    let size = 0;
    const treeRuns: typeof runs = [];
    for (let i = 0; i < REPEAT; i++) {
      m.flat!.push(await fyrRelease(flat, flatInputs, cache));
      m.fyr!.push(await fyrRelease(content, inputs, cache));
      treeRuns.push(runs.at(-1)!);
      size = statSync(release).size;
      await settle(cache, inputs);
      const t = performance.now();
      await execa('xargs', ['-0', 'cat'], { input: inputs.join('\0'), stdout: 'ignore' });
      m.cat!.push(since(t));
      m.cp!.push(await timedCopy(cache, ['cp', release, copy]));
      await settle(cache, [release]);
      const u = performance.now();
      await execa('md5sum', [release], { stdout: 'ignore' });
      m.md5!.push(since(u));
    }
    const f = (xs: number[]) => `${best(xs).toFixed(1)}/${median(xs).toFixed(1)} s`;
    // Each repetition's floor from its own measurements: max(cat + cp, md5sum).
    const floors = m.cat!.map((c, i) => Math.max(c + m.cp![i]!, m.md5![i]!));
    const fastest = treeRuns.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    rows.push(
      `  ${cache} cache, ${inputs.length} files, ISO ${(size / GIB).toFixed(2)} GiB (best/median of ${REPEAT}; load average ${load}):`,
      `    fyr release ${noChecksum.join(' ')}, the tree   ${f(m.fyr!)}`,
      `    floor: max(cat ${f(m.cat!)} + cp ${f(m.cp!)}, md5sum ${f(m.md5!)}) = ${f(floors)}`,
      `    fyr/floor                      ${(best(m.fyr!) / best(floors)).toFixed(2)}x best, ${(median(m.fyr!) / median(floors)).toFixed(2)}x median   (goal <= 1.15x)`,
      // When cat + cp is the larger, the ratio above leans on this disk's writes that day.
      `    fyr/md5sum                     ${(best(m.fyr!) / best(m.md5!)).toFixed(2)}x best, ${(median(m.fyr!) / median(m.md5!)).toFixed(2)}x median   (the part of the floor no disk changes)`,
      `    the same bytes as one file     ${f(m.flat!)}   tree/one file ${(best(m.fyr!) / best(m.flat!)).toFixed(2)}x best, ${(median(m.fyr!) / median(m.flat!)).toFixed(2)}x median`,
      // Each run's start: the MD5's first byte waits for all of it, so this is what spreads the runs.
      `    before the payload copy, each run: ${treeRuns.map((r) => `${(beforeCopy(r.timings) / 1000).toFixed(2)} s`).join(', ')}`,
      `    where the tree's best run's time goes (FYR_TIMINGS=1):`,
      ...timingLines(fastest.timings, '      '),
    );
  }
  rmSync(release, { force: true });
  rmSync(`${release}.md5state.json`, { force: true });
  return ['fyr release with a registry tree of 5,000+ files:', ...rows];
}

mkdirSync(DIR, { recursive: true });
const only = process.env.FYR_BENCH_REGISTRY;
const sections: string[][] = [];
if (!only || only === 'serve') sections.push(await serveFigures());
if (!only || only === 'content') sections.push(await contentFigures());
if (!only || only === 'release') sections.push(await releaseFigures());
console.log(`\n${sections.map((s) => s.join('\n')).join('\n\n')}\n`);
