// fyr build --pack: sealed site packs instead of site ISOs (docs/packs.md). One site gives one
// pack; several sites (a fleet, in CI) give one pack each in the -o directory and a summary,
// packs.json, and every site is tried: each one's problems are listed, the good packs written,
// and the exit is 1 if any site failed. Unlock codes for a fleet come from files, one a site.
import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EXIT, FyrError, InvalidInputError, isFyrError } from '../errors.js';
import { packBytes, PACK_EXTENSION, type ReleaseIdentity } from '../formats/site-pack.js';
import { fleetTable, printFailures, type FailedSite, type PackedSite, type PackSummary } from './pack-report.js';
import { makePack, releaseIdentity } from '../pack/pack.js';
import { writePackFile } from '../pack/write.js';
import { openReleaseImage } from '../site-iso/release-image.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { packageVersion } from '../util/package-info.js';
import { writeError } from '../util/write-error.js';
import type { ParsedArgs } from './command.js';
import type { Io } from './io.js';
import { problemJson, toJson } from './report.js';
import { showUnlockCode } from './seal-site.js';
import { siteForIso, type ReleaseFacts } from './site-splice.js';
import { makeStyle } from './style.js';

export const SUMMARY_FILE = 'packs.json';
// The unlock code beside each site file when several sites are packed without --unlock-code-dir.
export const CODE_BESIDE_SITE = 'unlock-code';

// Where each site's unlock code is read from, by cluster name; undefined: --unlock-code-file
// (one site) or a code made and shown on the terminal.
function codeFiles(args: ParsedArgs, files: readonly string[]): ((file: string) => (c: string) => string) | undefined {
  const dir = args.options['unlock-code-dir'];
  const one = args.options['unlock-code-file'];
  if (typeof dir === 'string' && typeof one === 'string')
    throw new FyrError('USAGE', '--unlock-code-file and --unlock-code-dir exclude each other');
  if (files.length > 1 && typeof args.options.secrets === 'string')
    throw new FyrError(
      'USAGE',
      "--secrets names one site's secrets file: with several, each site's file names its own",
    );
  if (args.options['no-seal'] === true) {
    if (typeof dir === 'string') throw new FyrError('USAGE', '--no-seal and --unlock-code-dir contradict each other');
    return undefined;
  }
  const need = (path: string, cluster: string, where: string) => {
    if (!existsSync(path))
      throw new FyrError('UNLOCK_CODE_REQUIRED', `no unlock code for cluster ${cluster}: ${path} does not exist`, {
        details: [`${where} (e.g. (umask 077; openssl rand -hex 16 > ${path}), kept in the CI secret store).`],
      });
    return path;
  };
  if (typeof dir === 'string')
    return () => (cluster) =>
      need(join(dir, cluster), cluster, `--unlock-code-dir holds one file per site, named after its cluster`);
  if (files.length === 1) return undefined;
  if (typeof one === 'string')
    throw new FyrError('USAGE', '--unlock-code-file seals one site: with several, give --unlock-code-dir DIR', {
      details: [`Or put each site's code in a file named ${CODE_BESIDE_SITE} beside its site file.`],
    });
  return (file) => (cluster) =>
    need(
      join(dirname(file), CODE_BESIDE_SITE),
      cluster,
      `With several sites, each one's code is in ${CODE_BESIDE_SITE} beside its site file, or in --unlock-code-dir DIR`,
    );
}

function failure(site: string, err: unknown): FailedSite {
  if (err instanceof InvalidInputError)
    return {
      site,
      ok: false,
      error: { code: err.code, message: err.message },
      errors: err.problems.filter((p) => p.severity === 'error').map(problemJson),
      warnings: err.problems.filter((p) => p.severity === 'warning').map(problemJson),
    };
  if (isFyrError(err))
    return { site, ok: false, error: { code: err.code, message: err.message, details: err.detailLines } };
  // A bug in fyr: said as such, and the other sites still packed.
  return { site, ok: false, error: { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) } };
}

const clusterName = (fqdn: string) => fqdn.split('.')[0]!;

// One site's pack: rendered and sealed, its areas and MD5 computed against the release.
async function packOne(
  file: string,
  out: (cluster: string) => string,
  args: ParsedArgs,
  io: Io,
  release: string,
  info: ReleaseFacts,
  codeFile: ((cluster: string) => string) | undefined,
) {
  const site = await siteForIso(file, args, io, info, false, codeFile);
  const pack = makePack(release, site.content, site.meta, packageVersion());
  const bytes = await packBytes(pack, Math.floor(Date.parse(site.meta.built) / 1000));
  const path = out(clusterName(site.meta.cluster));
  const written = await writePackFile(path, bytes, args.options.force === true);
  return { site, path, bytes: bytes.length, ...written };
}

const isDirTarget = (out: string) => out.endsWith('/') || statSync(out, { throwIfNoEntry: false })?.isDirectory();

export async function buildPacks(files: readonly string[], release: string, out: string, args: ParsedArgs, io: Io) {
  const image = openReleaseImage(release);
  const identity = releaseIdentity(image);
  image.close();
  const info = { name: identity.name, openshift: identity.openshift, operators: image.info.operators };
  const codes = codeFiles(args, files);
  if (files.length === 1 && !isDirTarget(out)) {
    const one = await packOne(files[0]!, () => out, args, io, release, info, codes?.(files[0]!));
    return single(one, identity, args, io);
  }
  await mkdir(out, { recursive: true }).catch((err: unknown) => {
    throw writeError(err, out);
  });
  const sites: Array<PackedSite | FailedSite> = [];
  const taken = new Map<string, string>();
  for (const file of files) {
    try {
      const one = await packOne(
        file,
        (cluster) => {
          const other = taken.get(cluster);
          if (other !== undefined)
            throw new FyrError(
              'OUTPUT_EXISTS',
              `cluster ${cluster} is also ${other}'s: its pack would replace that one`,
              {
                details: ['Give each site of a fleet its own cluster.name.'],
              },
            );
          taken.set(cluster, file);
          return join(out, `${cluster}${PACK_EXTENSION}`);
        },
        args,
        io,
        release,
        info,
        codes?.(file),
      );
      sites.push({
        site: file,
        ok: true,
        cluster: one.site.meta.cluster,
        pack: one.path,
        bytes: one.bytes,
        sha256: one.sha256,
        sealed: one.site.meta.sealed,
        nodes: one.site.meta.nodes.length,
      });
    } catch (err) {
      // Ctrl-C stops the fleet; anything else is this site's problem.
      if (io.signal?.aborted) throw err;
      sites.push(failure(file, err));
    }
  }
  const failed = sites.filter((s) => !s.ok).length;
  const summary: PackSummary = {
    format: 'fyr-packs/1',
    ok: failed === 0,
    release: { name: identity.name, openshift: identity.openshift, volumeId: identity.volumeId },
    packs: sites.length - failed,
    failed,
    sites,
  };
  const summaryFile = join(out, SUMMARY_FILE);
  await writeFileAtomic(summaryFile, toJson(summary)).catch((err: unknown) => {
    throw writeError(err, summaryFile);
  });
  if (args.json) io.stdout(toJson(summary));
  else if (args.options.quiet !== true || failed > 0) io.stdout(fleetTable(summary, summaryFile, io));
  if (!args.json) printFailures(sites, io);
  return failed === 0 ? EXIT.ok : EXIT.failed;
}

function single(one: Awaited<ReturnType<typeof packOne>>, identity: ReleaseIdentity, args: ParsedArgs, io: Io): number {
  showUnlockCode(one.site.code, io, one.site.meta.cluster);
  if (args.json) {
    io.stdout(
      toJson({
        ok: true,
        output: one.path,
        bytes: one.bytes,
        sha256: one.sha256,
        checksumFile: one.sumFile,
        site: one.site.meta,
        release: identity,
      }),
    );
  } else if (args.options.quiet !== true) {
    const s = makeStyle(io.color.stdout);
    const { meta } = one.site;
    io.stdout(
      `${s.green('✓')} ${one.path}: site ${meta.cluster} for release ${identity.name}, ${(one.bytes / 1024).toFixed(1)} KiB\n` +
        `  release     ${identity.name} (OpenShift ${identity.openshift}), release.json sha256:${identity.releaseJson.slice(0, 16)}…\n` +
        `  nodes       ${meta.nodes.map((n) => n.name).join(', ')}\n` +
        `  secrets     ${meta.sealed ? 'sealed to the unlock code: the field needs no secrets file and no code' : s.yellow('IN CLEAR (--no-seal)')}\n` +
        `  sha256      ${one.sha256} (${one.sumFile})\n`,
    );
  }
  return EXIT.ok;
}
