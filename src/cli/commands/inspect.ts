// fyr inspect: what a release or site ISO carries; --verify checks every byte that matters.
import { existsSync } from 'node:fs';
import { FyrError, VerifyFailedError } from '../../errors.js';
import { describePath } from '../../formats/upgrade-path.js';
import { extractSite } from '../../site-iso/extract.js';
import { inspectIso, type InspectReport } from '../../site-iso/inspect.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { checkOutputDir } from '../../util/output-dir.js';
import { TargetExistsError, writeTree } from '../../util/write-tree.js';
import type { CommandSpec, ParsedArgs } from '../command.js';
import type { Io } from '../io.js';
import { choice, mib } from '../options.js';
import { follow, makeProgress } from '../progress.js';
import { toJson } from '../report.js';
import { makeStyle, type Style } from '../style.js';

function describe(r: InspectReport, s: Style): string {
  const { release: info } = r;
  const lines = [
    `${s.bold(r.path)}: fyr ${r.site ? 'site' : 'release'} ISO, ${mib(r.size)}, volume id ${r.volumeId}`,
    `  release     ${info.release.name} (OpenShift ${info.release.openshift}${info.release.rhcos ? `, RHCOS ${info.release.rhcos}` : ''}), built by fyr ${info.fyr}, ${info.base.layout} layout from ${info.base.volumeId}`,
    `  payload     ${info.payload.length} files, ${mib(info.payload.reduce((n, p) => n + p.size, 0))}`,
    ...info.payload.map((p) => `    ${p.path}  ${p.role}  ${mib(p.size)}  sha256:${p.sha256.slice(0, 16)}…`),
    ...(info.release.image
      ? [
          `  image       ${info.release.image} (signature ${info.release.signature === 'skipped' ? s.yellow('NOT checked: built with --insecure-skip-signature') : 'verified'})`,
        ]
      : []),
    ...(info.registry
      ? [
          `  registry    ${info.registry.path}: ${info.registry.files} files, ${mib(info.registry.bytes)}, tree sha256:${info.registry.sha256.slice(0, 16)}…, release ${info.registry.releaseTag}`,
        ]
      : []),
    ...(info.upgrade ? [`  upgrade     ${describePath(info.upgrade)}`] : []),
    ...(info.registry?.delta
      ? [
          `  delta       on ${info.registry.delta.base.name} (${info.registry.files} files, ${mib(info.registry.bytes)} new; ${info.registry.delta.mergedFiles} files after the merge, tree sha256:${info.registry.delta.mergedSha256.slice(0, 16)}…)`,
        ]
      : []),
    ...(info.operators
      ? [
          `  operators   ${info.operators.source} as ${info.operators.mirror} (CatalogSource ${info.operators.catalogSource})`,
          ...info.operators.packages.map(
            (p) =>
              `              ${p.name}  ${p.channel}  ${p.version}  ${p.csv}${p.requested ? '' : '  (dependency)'}`,
          ),
        ]
      : []),
    `  agent       ${info.agent.path} (${info.agent.version === 'content' ? 'from the content directory' : `fyr-agent ${info.agent.version}`}, sha256:${info.agent.sha256.slice(0, 16)}…)`,
    `  embed areas /ks.cfg ${info.embed.kickstart.length} B at ${info.embed.kickstart.offset}, /fyr/site.tar ${info.embed.site.length} B at ${info.embed.site.offset}`,
    `  media check ${r.implanted ? `md5 ${r.implanted.md5}, ${r.implanted.fragmentCount} fragments` : s.yellow('none implanted')}`,
  ];
  if (r.siteAreaDamaged)
    lines.push(
      `  site        ${s.red('the site area is damaged: not a readable tar')} (fyr customize puts a site back)`,
    );
  else if (!r.site) lines.push('  site        none: not customised yet (fyr build or fyr customize)');
  else {
    const m = r.site.meta;
    if (m) {
      // The site's OpenShift version, under the release's, so a mismatch shows at a glance.
      const version = m.openshift === undefined ? '' : ` for OpenShift ${m.openshift}`;
      lines.push(
        `  site        ${m.cluster}${version}, built ${m.built} by fyr ${m.fyr} (${m.os}, ${m.source} install source)`,
      );
      lines.push(`  render      sha256:${m.renderHash}`);
      lines.push(
        `  nodes       ${m.nodes.map((n) => `${n.name} (${n.role}, ${n.mac}, ${n.ip})`).join('\n              ')}`,
      );
    } else lines.push(`  site        ${s.yellow('a bundle without fyr-site.json')}`);
    lines.push(`  bundle      ${r.site.files.length} files; kickstart: ${r.site.kickstartFirstLine}`);
    lines.push(
      r.site.sealed
        ? `  secrets     sealed with age to an unlock code (KDF ${r.site.sealed.kdf}, work factor 2^${r.site.sealed.logN})`
        : `  secrets     ${s.yellow('IN CLEAR (built with --no-seal): anyone with this ISO can read them')}`,
    );
  }
  if (r.verify) {
    lines.push(
      r.verify.ok
        ? `${s.green('✓')} verified: ${r.verify.checked.payloadFiles} payload files${r.verify.checked.registryFiles ? `, ${r.verify.checked.registryFiles} registry files and the tree hash` : ''}, the media-check MD5 and fragment sums, the saved MD5 state, the site area`
        : `${s.red('✗')} verify found ${r.verify.problems.length} problem(s):\n${r.verify.problems.map((p) => `    ${p}`).join('\n')}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export const inspectCommand: CommandSpec = {
  name: 'inspect',
  summary: 'Show what a release or site ISO carries; --verify checks it',
  usage: 'fyr inspect ISO [--verify] [--json]',
  description: [
    'Prints the release (versions, base, payload files, embed areas, implanted media-check MD5) and, when the ISO is customised, the site: cluster FQDN, nodes, render hash and the build time recorded in the bundle.',
    'With --verify, reads the whole image once and checks every payload file against its sha256 in release.json, every registry blob against its name and the registry tree against its tree hash, the implanted media-check MD5 and fragment sums, the MD5 state saved for fyr build and customize, and the site area against its own manifest; each mismatch is listed and the exit code is 1.',
  ],
  options: {
    verify: { type: 'boolean', help: 'Read the whole image and check it' },
    extract: {
      type: 'string',
      value: 'WHAT',
      help: "Pull the site back out: ks.cfg prints the site's kickstart (or writes it to -o FILE); bundle writes the site's files into -o DIR",
    },
    out: { type: 'string', short: 'o', value: 'PATH', help: 'Where --extract writes' },
    force: { type: 'boolean', help: 'Replace an existing -o' },
  },
  positionals: { min: 1, max: 1 },
  examples: [
    'fyr inspect site.iso',
    'fyr inspect release.iso --verify --json',
    'fyr inspect site.iso --extract ks.cfg',
    'fyr inspect site.iso --extract bundle -o edge-site/',
  ],
  async run(args, io) {
    const iso = args.positionals[0]!;
    if (args.options.extract !== undefined) return extract(iso, args, io);
    const progress = makeProgress(io, { quiet: args.json || args.options.verify !== true });
    let report;
    try {
      report = await inspectIso(iso, {
        verify: args.options.verify === true,
        signal: io.signal,
        onProgress: follow(progress, () => `verifying ${iso}`),
      });
    } finally {
      progress.done();
    }
    if (!args.json) io.stdout(describe(report, makeStyle(io.color.stdout)));
    if (report.verify && !report.verify.ok)
      throw new VerifyFailedError(`${iso}: verify found ${report.verify.problems.length} problem(s)`, { ...report });
    if (args.json) io.stdout(toJson({ ok: true, ...report }));
    return 0;
  },
};

// --extract: the site as fyr build put it in, to stdout or a file (ks.cfg) or a directory (bundle).
async function extract(iso: string, args: ParsedArgs, io: Io): Promise<number> {
  const what = choice('extract', args.options.extract, ['ks.cfg', 'bundle'] as const, 'ks.cfg');
  const out = typeof args.options.out === 'string' ? args.options.out : undefined;
  if (what === 'bundle' && out === undefined)
    throw new FyrError('USAGE', '--extract bundle needs -o DIR: the directory to write the site into');
  const site = await extractSite(iso);
  if (out === undefined) {
    io.stdout(site.kickstart.toString('utf8'));
    return 0;
  }
  if (what === 'ks.cfg') {
    checkOutputDir(out);
    if (existsSync(out) && args.options.force !== true)
      throw new FyrError('OUTPUT_EXISTS', `${out} exists; pass --force to replace it`);
    // Unsealed, the kickstart holds password hashes: its owner's only.
    await writeFileAtomic(out, site.kickstart, { mode: 0o600 });
  } else {
    try {
      await writeTree(out, site.files, { replace: args.options.force === true });
    } catch (err) {
      if (err instanceof TargetExistsError)
        throw new FyrError('OUTPUT_EXISTS', `${err.message}; pass --force to replace it`);
      throw new FyrError('WRITE_FAILED', `cannot write ${out}: ${(err as Error).message}`, { cause: err });
    }
  }
  if (args.json)
    io.stdout(toJson({ ok: true, iso, extract: what, out, files: what === 'bundle' ? site.files.length : 1 }));
  return 0;
}
