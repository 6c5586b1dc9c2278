// fyr release: base installer ISO + content directory -> release ISO shared by every site.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FyrError } from '../../errors.js';
import { DEFAULT_KS_AREA, DEFAULT_SITE_AREA } from '../../formats/embed-areas.js';
import { buildRelease } from '../../release/release.js';
import { packageVersion } from '../../util/package-info.js';
import type { CommandSpec } from '../command.js';
import { follow, makeProgress } from '../progress.js';
import { cacheDir, COMPOSE_OPTIONS, mib, parseSize, requiredOption, sourceDateEpoch } from '../options.js';
import { toJson } from '../report.js';
import { makeStyle } from '../style.js';

export const releaseCommand: CommandSpec = {
  name: 'release',
  summary: 'Remaster a RHEL installer ISO into a release ISO',
  usage: 'fyr release (--base BASE.iso | --compose SITE) --content DIR -o release.iso [options]',
  description: [
    "Checks every file of DIR against its fyr-content.json, then writes one ISO: the base image's tree and BIOS/UEFI boot equipment (CD and USB), boot menus that install from /ks.cfg on the release's own volume label, the payload under /fyr/payload, the agent, two fixed-size embed areas for a site (/ks.cfg and /fyr/site.tar, at the end of the file data) and /release.json, which records the payload and where the areas are.",
    "The implanted media-check MD5 passes checkisomd5 and the installer's check; the MD5 state just before the embed areas is saved beside the ISO (release.iso.md5state.json) so a site can be spliced in without re-reading the image.",
    'Beside it goes OUTPUT.sha256 in sha256sum format (sha256sum -c OUTPUT.sha256 in its directory checks a download). The media-check field near the start of the image holds the MD5 of all of it, so the sha256 is one more read of the finished image (from the page cache where it fits), before it is renamed into place; --no-checksum skips it.',
    "Needs no root. Same inputs give the same bytes: dates come from SOURCE_DATE_EPOCH, or else the base image's creation date. The ISO is written to a temporary name and renamed when complete; a failure or Ctrl-C leaves nothing behind.",
  ],
  options: {
    base: { type: 'string', value: 'ISO', help: 'The RHEL installer ISO to start from (RHEL 9 or RHEL 10 layout)' },
    compose: {
      type: 'string',
      value: 'SITE',
      help: "Instead of --base: build the base with osbuild-composer from SITE's blueprint first (fyr compose; its options below apply)",
    },
    os: { type: 'string', value: 'OS', help: 'With --compose: bastion OS release, rhel9 (default) or rhel10' },
    ...COMPOSE_OPTIONS,
    content: { type: 'string', value: 'DIR', help: 'Content directory with fyr-content.json (required)' },
    out: { type: 'string', short: 'o', value: 'FILE', help: 'Release ISO to write (required)' },
    volid: {
      type: 'string',
      value: 'ID',
      help: 'Volume id of the release (default: the base one, with spaces and odd characters replaced by "_")',
    },
    'ks-area': { type: 'string', value: 'SIZE', help: 'Size reserved for /ks.cfg (default 256K)' },
    'site-area': { type: 'string', value: 'SIZE', help: 'Size reserved for the site bundle tar (default 8M)' },
    'boot-timeout': {
      type: 'string',
      value: 'SECONDS',
      help: 'Boot menu timeout before the install entry starts (default 5)',
    },
    'no-checksum': { type: 'boolean', help: 'Do not write OUTPUT.sha256 (saves one read of the image)' },
    force: { type: 'boolean', help: 'Replace the output file if it exists' },
    quiet: { type: 'boolean', short: 'q', help: 'No progress and no summary' },
  },
  positionals: { min: 0, max: 0 },
  examples: [
    'fyr release --base rhel-9.4-x86_64-boot.iso --content content/ -o release.iso',
    'fyr release --compose site.yaml --composer https://composer:8700 --content content/ -o release.iso',
    'SOURCE_DATE_EPOCH=1700000000 fyr release --base base.iso --content content/ -o release.iso --site-area 16M --json',
  ],
  async run(args, io) {
    const need = (name: string) =>
      requiredOption(args, name, `missing --${name === 'out' ? 'out (-o)' : name}`, [`Usage: ${this.usage}`]);
    const composeSite =
      typeof args.options.compose === 'string' && args.options.compose !== '' ? args.options.compose : undefined;
    if (composeSite !== undefined && args.options.base !== undefined)
      throw new FyrError(
        'USAGE',
        '--base and --compose exclude each other: give the base ISO, or the site whose blueprint composer builds it from',
      );
    let base: string;
    if (composeSite !== undefined) {
      need('content');
      need('out');
      // The composed base lands in fyr's cache, next to the compose index that finds it again.
      const images = join(cacheDir(args, io), 'images');
      await mkdir(images, { recursive: true });
      base = join(images, 'composed-base.iso');
      // Loaded only here: the site's rules and composer's client are a third of the modules
      // fyr release would load otherwise.
      const { runCompose } = await import('../compose-site.js');
      const composed = await runCompose(composeSite, base, args, io);
      if (!args.json && args.options.quiet !== true)
        io.stderr(`composed base ${base} (compose ${composed.id}${composed.reused ? ', reused' : ''})\n`);
    } else base = need('base');
    const contentDir = need('content');
    const output = need('out');
    const timeout = args.options['boot-timeout'] === undefined ? 5 : Number(args.options['boot-timeout']);
    if (!Number.isInteger(timeout) || timeout < 1 || timeout > 600)
      throw new FyrError(
        'USAGE',
        `--boot-timeout ${String(args.options['boot-timeout'])}: expected whole seconds from 1 to 600`,
      );
    const epoch = sourceDateEpoch(io);
    const progress = makeProgress(io, { quiet: args.options.quiet === true || args.json });
    const onProgress = follow(progress, (phase) =>
      phase === 'layout'
        ? 'xorriso: boot files, embed areas, directories'
        : phase === 'sha256'
          ? `sha256 of ${output}`
          : `copying the payload into ${output}`,
    );
    const started = Date.now();
    let result;
    try {
      result = await buildRelease({
        base,
        contentDir,
        output,
        force: args.options.force === true,
        ...(typeof args.options.volid === 'string' ? { volumeId: args.options.volid } : {}),
        ksAreaBytes: parseSize('ks-area', args.options['ks-area'], DEFAULT_KS_AREA),
        siteAreaBytes: parseSize('site-area', args.options['site-area'], DEFAULT_SITE_AREA),
        bootTimeoutSeconds: timeout,
        ...(epoch !== undefined ? { epoch } : {}),
        fyrVersion: packageVersion(),
        sha256: args.options['no-checksum'] !== true,
        signal: io.signal,
        onProgress,
      });
    } finally {
      progress.done();
    }
    const seconds = (Date.now() - started) / 1000;
    if (args.json) {
      io.stdout(
        toJson({
          ok: true,
          output: result.output,
          size: result.size,
          md5: result.md5,
          md5State: result.md5StateFile,
          ...(result.sha256 ? { sha256: result.sha256.hex, checksumFile: result.sha256.file } : {}),
          seconds,
          release: result.info,
        }),
      );
      return 0;
    }
    if (args.options.quiet === true) return 0;
    const s = makeStyle(io.color.stdout);
    const { info } = result;
    io.stdout(
      `${s.green('✓')} ${output}: release ${info.release.name} (OpenShift ${info.release.openshift}), ${mib(result.size)} in ${seconds.toFixed(1)} s\n` +
        `  volume id   ${info.volumeId} (base ${info.base.volumeId}, ${info.base.layout} layout)\n` +
        `  payload     ${info.payload.length} files, ${mib(info.payload.reduce((n, p) => n + p.size, 0))}; agent ${info.agent.version === 'content' ? 'from the content directory' : `fyr-agent ${info.agent.version}`}\n` +
        (info.registry
          ? `  registry    ${info.registry.files} files, ${mib(info.registry.bytes)} (tree sha256:${info.registry.sha256.slice(0, 16)}…), served read-only at the site\n`
          : '') +
        `  embed areas /ks.cfg ${info.embed.kickstart.length} B at ${info.embed.kickstart.offset}, /fyr/site.tar ${info.embed.site.length} B at ${info.embed.site.offset}\n` +
        `  media check md5 ${result.md5}; resume state in ${result.md5StateFile}\n` +
        (result.sha256 ? `  sha256      ${result.sha256.hex} (${result.sha256.file})\n` : ''),
    );
    return 0;
  },
};
