// make bench, the delta upgrade stick (issue 29): `fyr content --openshift 4.18.12 --from 4.18.9`
// made twice on the connected side's stand-ins, full and `--delta-from` the 4.18.9 content, and
// the delta's registry tree against its baseline measured in the same run: the bytes of the
// full tree's files the 4.18.9 tree does not hold (the new blobs and links only). Goal: the
// delta holds exactly those (1.00x), and the full one's size beside it.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { listTree } from '../../src/registry/tree.js';
import { connectedSide, contentArgs } from '../helpers/connected.js';

const FYR = resolve('dist/cli/main.js');
const MIB = 1024 ** 2;

async function fyr(args: string[], env: Record<string, string>): Promise<void> {
  const r = await execa(process.execPath, [FYR, ...args], { reject: false, all: true, env });
  if (r.exitCode !== 0) throw new Error(`fyr ${args.join(' ')} failed:\n${String(r.all)}`);
}

const registryOf = (content: string) =>
  JSON.parse(readFileSync(join(content, 'fyr-content.json'), 'utf8')).registry as {
    path: string;
    files: number;
    bytes: number;
  };

export async function deltaFigures(benchDir: string): Promise<string[]> {
  const dir = resolve(benchDir, 'delta');
  const side = await connectedSide(join(dir, `side-${Date.now()}`));
  const base = join(dir, 'content-4.18.9');
  const full = join(dir, 'content-full');
  const delta = join(dir, 'content-delta');
  try {
    await side.signRelease('4.18.12');
    const content = (out: string, version: string, more: string[]) => {
      const argv = contentArgs(side, out, ['--quiet', '--force', ...more]);
      argv[argv.indexOf('--openshift') + 1] = version;
      return fyr(argv, side.env);
    };
    await content(base, '4.18.9', []);
    await content(full, '4.18.12', ['--from', '4.18.9']);
    await content(delta, '4.18.12', ['--from', '4.18.9', '--delta-from', base]);
  } finally {
    await side.close();
  }
  const tree = (content: string) => join(content, registryOf(content).path);
  const had = new Set((await listTree(tree(base))).map((f) => f.path));
  const fresh = (await listTree(tree(full))).filter((f) => !had.has(f.path));
  const freshBytes = fresh.reduce((n, f) => n + f.size, 0);
  const d = registryOf(delta);
  const f = registryOf(full);
  const mib = (b: number) => `${(b / MIB).toFixed(2)} MiB`;
  return [
    "delta upgrade stick (4.18.9 → 4.18.12, the stand-ins' synthetic releases):",
    `  full registry tree ${mib(f.bytes)} (${f.files} files); the new files only (baseline) ${mib(freshBytes)} (${fresh.length} files)`,
    `  delta registry tree ${mib(d.bytes)} (${d.files} files): ${(d.bytes / freshBytes).toFixed(2)}x the baseline (goal 1.00x), ${((d.bytes / f.bytes) * 100).toFixed(0)} % of the full one`,
  ];
}
