// fyr build: a site ISO from a release ISO at copy speed.
import { readReleaseInfo } from '../../site-iso/release-image.js';
import { buildSiteIso } from '../../site-iso/build.js';
import type { CommandSpec } from '../command.js';
import { mib, RENDER_OPTIONS, requiredOption, SEAL_OPTIONS } from '../options.js';
import { follow, makeProgress } from '../progress.js';
import { toJson } from '../report.js';
import { showUnlockCode } from '../seal-site.js';
import { releaseFacts, siteForIso } from '../site-splice.js';
import { FyrError } from '../../errors.js';
import { buildPacks } from '../pack-sites.js';
import { makeStyle } from '../style.js';

export const buildCommand: CommandSpec = {
  name: 'build',
  summary: 'Make a site ISO from a release ISO, or sealed site packs',
  usage: 'fyr build SITE... --release release.iso (-o site.iso | --pack -o PACK|DIR) [options]',
  description: [
    "Validates and renders SITE like `fyr render`, packs the bundle (with manifest.json and a build record) into a tar, and writes a copy of the release ISO whose /ks.cfg and /fyr/site.tar areas hold the site. The release is copied once (a reflink where the filesystem can) and only the areas and the media-check field are written: the installer's media check is finished from the MD5 state the release saved before the areas, so the payload is neither re-read nor re-hashed. The copy's bytes outside the payload (boot records, directories, boot files: megabytes) are checked against the sum the release recorded, so a release changed there is refused.",
    'A changed payload byte is caught only with --verify: a second core hashes the copy as it is written and compares it with the MD5 state the release saved (a reflinked copy is not hashed; fyr inspect --verify checks everything).',
    "Sealed by default: the site's secrets (BMC passwords, password hashes, a LUKS recovery passphrase) go into the bundle's etc/fyr/secrets.age, sealed with age to an unlock code (scrypt), and the kickstart holds none; the code is read from --unlock-code-file, or made and shown once on the terminal. The agent asks for it at first boot.",
    "With --pack, no ISO is written: the site's areas go into a sealed site pack (kilobytes, docs/packs.md) with the release's identity and the media-check MD5 state, for fyr flash or customize --site PACK to splice in the field with no site file, secrets file or unlock code. With several SITEs (only with --pack), -o is a directory (made if missing): one pack per site named after its cluster (CLUSTER.fyrsite), and packs.json, a summary --json prints. Every site is tried: each one's problems are listed, the good packs written, and the exit is 1 if any failed. Each site's unlock code is read from --unlock-code-dir DIR/CLUSTER, or else from the file unlock-code beside its site file.",
    'Beside the output goes OUTPUT.sha256 in sha256sum format (sha256sum -c OUTPUT.sha256 in its directory checks it): for an ISO, the release is hashed with the site in place while the kernel copies it (--no-checksum skips it).',
    'The site is checked against the release: its cluster.openshiftVersion (VERSION_MISMATCH), and the operator packages its operators list and a storage.type it names need (OPERATOR_NOT_CARRIED: each package named with the fyr content --operator option that adds it). A storage type the site file does not name whose packages the release lacks is a warning: the site gets no storage.',
    'The site must fit the areas the release reserved (see fyr release --ks-area and --site-area). The output is written to a temporary name and renamed when complete. The same release, site and SOURCE_DATE_EPOCH give the same bytes; without SOURCE_DATE_EPOCH the build time recorded in the bundle is the current time.',
  ],
  options: {
    release: { type: 'string', value: 'ISO', help: 'Release ISO made by fyr release (required)' },
    out: {
      type: 'string',
      short: 'o',
      value: 'FILE',
      help: 'Site ISO to write (required); with --pack the pack, or a directory for one pack per site',
    },
    pack: { type: 'boolean', help: 'Write a sealed site pack (CLUSTER.fyrsite) instead of a site ISO' },
    ...RENDER_OPTIONS,
    ...SEAL_OPTIONS,
    'unlock-code-dir': {
      type: 'string',
      value: 'DIR',
      help: "With --pack: each site's unlock code is the file DIR/CLUSTER (cluster.name); for several sites the default is unlock-code beside each site file",
    },
    'no-checksum': { type: 'boolean', help: 'Do not write OUTPUT.sha256 beside a site ISO (saves hashing it)' },
    verify: {
      type: 'boolean',
      help: "Hash the copy on a second core against the release's saved MD5 state: a changed payload is refused (limits the build to MD5 speed, about 500 MB/s)",
    },
    force: { type: 'boolean', help: 'Replace the output file if it exists' },
    quiet: { type: 'boolean', short: 'q', help: 'No progress and no summary' },
  },
  positionals: { min: 1, max: 100_000 },
  examples: [
    'fyr build examples/edge/site.yaml --release release.iso -o edge.iso',
    'fyr build site.yaml --release release.iso -o site.iso --unlock-code-file /run/secrets/site-code',
    'SOURCE_DATE_EPOCH=1700000000 fyr build site.yaml --release release.iso -o site.iso --json',
    'fyr build site.yaml --release release.iso --pack -o edge.fyrsite --unlock-code-file code.txt',
    'fyr build sites/*/site.yaml --release release.iso --pack -o packs/ --unlock-code-dir /run/secrets/codes',
  ],
  async run(args, io) {
    const file = args.positionals[0]!;
    const release = requiredOption(args, 'release', 'missing --release ISO: the release ISO to start from');
    const out = requiredOption(args, 'out', 'missing -o FILE: where to write the site ISO');
    if (args.options.pack === true) {
      if (args.options.verify === true)
        throw new FyrError('USAGE', '--verify checks a site ISO as it is copied; --pack writes none');
      return buildPacks(args.positionals, release, out, args, io);
    }
    if (args.positionals.length > 1)
      throw new FyrError('USAGE', `build: ${args.positionals.length} sites: several sites are built only as packs`, {
        details: ['Add --pack (and -o DIR), or build one site ISO per command.'],
      });
    if (args.options['unlock-code-dir'] !== undefined)
      throw new FyrError('USAGE', '--unlock-code-dir is for --pack; give --unlock-code-file for a site ISO');
    const info = readReleaseInfo(release);
    const { content, meta, code } = await siteForIso(file, args, io, releaseFacts(info));
    const progress = makeProgress(io, { quiet: args.options.quiet === true || args.json });
    const started = performance.now();
    let result;
    try {
      result = await buildSiteIso({
        release,
        output: out,
        force: args.options.force === true,
        content,
        verify: args.options.verify === true,
        sha256: args.options['no-checksum'] !== true,
        signal: io.signal,
        onProgress: follow(progress, () => `copying ${release}`),
      });
    } finally {
      progress.done();
    }
    const seconds = (performance.now() - started) / 1000;
    showUnlockCode(code, io, meta.cluster);
    if (args.json) {
      io.stdout(
        toJson({
          ok: true,
          output: result.output,
          size: result.size,
          seconds,
          copied: result.copied,
          md5: result.md5.md5,
          ...(result.sha256 ? { sha256: result.sha256.hex, checksumFile: result.sha256.file } : {}),
          site: meta,
          release: info.release,
        }),
      );
      return 0;
    }
    if (args.options.quiet === true) return 0;
    const s = makeStyle(io.color.stdout);
    io.stdout(
      `${s.green('✓')} ${out}: site ${meta.cluster} on release ${info.release.name}, ${mib(result.size)} in ${seconds.toFixed(1)} s (${result.copied === 'reflink' ? 'reflinked' : `${(result.size / 1024 ** 2 / Math.max(seconds, 0.001)).toFixed(0)} MiB/s`})\n` +
        `  nodes       ${meta.nodes.map((n) => n.name).join(', ')}\n` +
        `  render      sha256:${meta.renderHash}\n` +
        `  site area   ${content.tar.length} of ${info.embed.site.length} bytes; kickstart ${Buffer.byteLength(content.kickstart)} of ${info.embed.kickstart.length}\n` +
        `  media check md5 ${result.md5.md5}\n` +
        (result.sha256 ? `  sha256      ${result.sha256.hex} (${result.sha256.file})\n` : '') +
        `  secrets     ${meta.sealed ? 'sealed to the unlock code (etc/fyr/secrets.age)' : s.yellow('IN CLEAR (--no-seal)')}\n`,
    );
    return 0;
  },
};
