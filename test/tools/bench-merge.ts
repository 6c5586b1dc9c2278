// make bench, the upgrade merge (issue 29): an upgrade stick's registry tree merged into the
// bastion's copy of the old release (src/agent/upgrade/merge.ts: only the missing files copied,
// each blob checked against its name, renamed into place; links, then tags; a syncfs after
// each step), against `cp --parents` of exactly the files the old tree lacks, into the same old
// tree, in the same run, warm and cold page cache, best/median of FYR_BENCH_REPEAT. Two merges:
// as `fyr-agent upgrade` runs it, right after its check of every file of the stick (whose
// hashes spare reading the copies back), and resumed in a new run (it hashes what it copies).
// The merge's bytes are on the disk when it returns; cp's are not, so the goal (within 1.2x) is
// taken against cp followed by `sync -f`, the same durability; cp alone is shown beside it.
import { execa } from 'execa';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { mergeTree } from '../../src/agent/upgrade/merge.js';
import { expectedHashes, listTree, treeHash, verifyTree, type HashedFile } from '../../src/registry/tree.js';
import { writeSyntheticTree } from '../helpers/registry.js';
import { best, loadAverage, median, dropCaches } from './bench-timings.js';

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;
const REPEAT = Number(process.env.FYR_BENCH_REPEAT ?? 3);
// The old release: OLD images of one LAYER layer each; the new one: NEW images, the first OLD
// of them the old release's (the same blobs and links), the rest new.
const OLD = 80;
const NEW = 160;
const LAYER = 16 * MIB;

async function settle(cache: 'warm' | 'cold', files: readonly string[]): Promise<void> {
  await execa('sync');
  dropCaches();
  if (cache === 'warm' && files.length > 0)
    await execa('xargs', ['-0', 'cat'], { input: files.join('\0'), stdout: 'ignore' });
}
const since = (t: number) => (performance.now() - t) / 1000;
const bm = (xs: readonly number[]) => `${best(xs).toFixed(2)}/${median(xs).toFixed(2)} s`;

export async function mergeFigures(benchDir: string): Promise<string[]> {
  const dir = resolve(benchDir, 'merge');
  const old = join(dir, 'old');
  const stick = join(dir, 'stick');
  if (!statSync(join(dir, 'ready'), { throwIfNoEntry: false })) {
    rmSync(dir, { recursive: true, force: true });
    writeSyntheticTree(old, { images: OLD, layerBytes: LAYER });
    writeSyntheticTree(stick, { images: NEW, layerBytes: LAYER });
    writeFileSync(join(dir, 'ready'), '');
  }
  const oldFiles = await listTree(old);
  const stickFiles = await listTree(stick);
  const had = new Set(oldFiles.map((f) => f.path));
  const fresh = stickFiles.filter((f) => !had.has(f.path));
  const freshBytes = fresh.reduce((n, f) => n + f.size, 0);
  // The install copy's journal (tree-copy.ts) of the old tree, and the merged tree's hash (a
  // delta stick's mergedSha256).
  const oldHashed = (await expectedHashes(old, oldFiles)).hashed;
  const known = join(dir, 'tree.copied');
  writeFileSync(known, oldHashed.map((f) => `${f.path}\0${f.size}\0${f.sha256}\n`).join(''));
  const union = new Map<string, HashedFile>(oldHashed.map((f) => [f.path, f]));
  for (const f of (await expectedHashes(stick, stickFiles)).hashed) union.set(f.path, f);
  const expected = treeHash([...union.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)));
  const blobCount = stickFiles.filter((f) => f.path.includes('/blobs/')).length;
  const to = join(dir, 'served');
  const journal = join(dir, 'merge.journal');
  // The bastion's copy of the old release: hard links of the old tree (a merge only adds files
  // and renames tags over, so the old tree is never changed through them).
  const fresh_to = async () => {
    rmSync(to, { recursive: true, force: true });
    rmSync(journal, { force: true });
    await execa('cp', ['-al', old, to]);
  };
  const inputs = stickFiles.map((f) => join(stick, f.path));
  // The upgrade's check of every file of the stick, whose hashes the merge right after it takes.
  const verified = new Map((await verifyTree(stick)).hashed.map((f) => [f.path, f.sha256]));
  const rows: string[] = [];
  for (const cache of ['warm', 'cold'] as const) {
    if (cache === 'cold' && !dropCaches()) {
      rows.push('  cold cache: skipped (cannot write /proc/sys/vm/drop_caches; run as root)');
      continue;
    }
    const load = await loadAverage();
    const m = { merge: [] as number[], resumed: [] as number[], cp: [] as number[], cpSync: [] as number[] };
    let parts = { plan: 0, blobs: 0, rest: 0 };
    const merge = async (withCheck: boolean) => {
      await fresh_to();
      await settle(cache, inputs);
      const t = performance.now();
      let first = 0;
      let blobsDone = 0;
      const r = await mergeTree(
        stick,
        to,
        journal,
        expected,
        (done) => {
          if (done === 1) first = performance.now();
          if (done === blobCount) blobsDone = performance.now();
        },
        { known: [known], ...(withCheck ? { verified } : {}) },
      );
      const s = since(t);
      if (r.bytes !== freshBytes) throw new Error(`the merge copied ${r.bytes} bytes, the stick has ${freshBytes} new`);
      const xs = withCheck ? m.merge : m.resumed;
      if (withCheck && (xs.length === 0 || s < best(xs)))
        parts = { plan: (first - t) / 1000, blobs: (blobsDone - first) / 1000, rest: s - (blobsDone - t) / 1000 };
      xs.push(s);
    };
    for (let i = 0; i < REPEAT; i++) {
      await merge(true);
      await merge(false);
      for (const sync of [false, true]) {
        await fresh_to();
        await settle(cache, inputs);
        const t = performance.now();
        await execa('xargs', ['-0', 'cp', '--parents', '-t', to], {
          cwd: stick,
          input: fresh.map((f) => f.path).join('\0'),
        });
        if (sync) await execa('sync', ['-f', to]);
        (sync ? m.cpSync : m.cp).push(since(t));
      }
    }
    const ratio = (a: readonly number[], b: readonly number[]) =>
      `${(best(a) / best(b)).toFixed(2)}x best, ${(median(a) / median(b)).toFixed(2)}x median`;
    rows.push(
      `  ${cache} cache, ${fresh.length} new files of ${stickFiles.length} on the stick, ${(freshBytes / GIB).toFixed(2)} GiB new, into ${oldFiles.length} files (best/median of ${REPEAT}; load average ${load}):`,
      `    cp of the new files            ${bm(m.cp)}`,
      `    cp, then sync -f               ${bm(m.cpSync)}`,
      `    fyr merge after the stick check ${bm(m.merge)}   merge/(cp+sync) ${ratio(m.merge, m.cpSync)}   (goal <= 1.2x)   merge/cp ${ratio(m.merge, m.cp)}`,
      `    fyr merge resumed (hashes all) ${bm(m.resumed)}   merge/(cp+sync) ${ratio(m.resumed, m.cpSync)}   merge/cp ${ratio(m.resumed, m.cp)}`,
      `    the merge's best run: to its first file in place ${parts.plan.toFixed(2)} s (both trees listed; the plan made while the first blobs are copied), blobs ${parts.blobs.toFixed(2)} s (${(freshBytes / MIB / parts.blobs).toFixed(0)} MiB/s, copied, flushes started), the blobs' barrier, links, tags, their barriers and the final listing ${parts.rest.toFixed(2)} s`,
    );
  }
  rmSync(to, { recursive: true, force: true });
  rmSync(journal, { force: true });
  return ["the upgrade merge: a new release's registry tree into the bastion's copy of the old one, vs cp:", ...rows];
}
