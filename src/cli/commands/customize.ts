// fyr customize: put a site into an existing release or site ISO, in place.
import { readReleaseInfo } from '../../site-iso/release-image.js';
import { customizeIso } from '../../site-iso/customize.js';
import { inspectIso } from '../../site-iso/inspect.js';
import type { CommandSpec } from '../command.js';
import { RENDER_OPTIONS, requiredOption, SEAL_OPTIONS } from '../options.js';
import { follow, makeProgress } from '../progress.js';
import { toJson } from '../report.js';
import { showUnlockCode } from '../seal-site.js';
import { packForIso, releaseFacts, siteForIso } from '../site-splice.js';
import { isPackFile } from '../../pack/pack.js';
import { makeStyle } from '../style.js';

export const customizeCommand: CommandSpec = {
  name: 'customize',
  summary: 'Replace the site in a release or site ISO, in place',
  usage: 'fyr customize ISO --site SITE [options]',
  description: [
    "Renders SITE and overwrites ISO's /ks.cfg and /fyr/site.tar areas and its media-check field: kilobytes written, in well under a second whatever the ISO's size. The installer's media check still passes when the payload is as fyr release wrote it: the bytes outside the payload (boot records, directories, boot files) are checked against the sum the release recorded and a change there is refused; a changed payload byte is found by fyr inspect --verify.",
    'The secrets are sealed to an unlock code as fyr build seals them. An ISO that is sealed already needs the code to seal the new site to: --unlock-code-file (the current code keeps what the tech was told; a new one rotates it) or --new-unlock-code. A new secrets file or code reseals.',
    "--site may name a sealed site pack (fyr build SITE --pack), spliced with no site file, secrets file or unlock code; it must be for the ISO's release (PACK_RELEASE_MISMATCH otherwise), and the result is what fyr build made of the site, byte for byte.",
    "Refuses an ISO without fyr's release.json, and one whose saved MD5 state does not reproduce its implanted MD5 (the image was changed by another tool): --rehash then re-hashes the whole image, which takes as long as reading it, and saves a fresh state.",
  ],
  options: {
    site: { type: 'string', value: 'FILE', help: 'The site file, or a pack from fyr build --pack (required)' },
    ...RENDER_OPTIONS,
    ...SEAL_OPTIONS,
    'new-unlock-code': {
      type: 'boolean',
      help: 'The ISO is sealed: seal the new site to a new unlock code, made and shown once (rotates the code)',
    },
    rehash: { type: 'boolean', help: 'Re-hash the whole image instead of trusting the saved MD5 state' },
    quiet: { type: 'boolean', short: 'q', help: 'No summary' },
  },
  positionals: { min: 1, max: 1 },
  examples: [
    'fyr customize edge.iso --site examples/edge/site.yaml',
    'fyr customize /dev/sdb --site site.yaml --rehash',
    'fyr customize edge.iso --site site.yaml --unlock-code-file code.txt',
    'fyr customize release.iso --site edge.fyrsite',
  ],
  async run(args, io) {
    const iso = args.positionals[0]!;
    const siteFile = requiredOption(args, 'site', 'missing --site FILE: the site to put into the ISO');
    const { content, meta, code } = isPackFile(siteFile)
      ? await packForIso(siteFile, args, iso, args.options.rehash === true)
      : await siteForIso(
          siteFile,
          args,
          io,
          releaseFacts(readReleaseInfo(iso)),
          (await inspectIso(iso)).site?.sealed !== undefined,
        );
    const progress = makeProgress(io, { quiet: args.options.quiet === true || args.json });
    const started = performance.now();
    let result;
    try {
      result = await customizeIso({
        iso,
        content,
        rehash: args.options.rehash === true,
        signal: io.signal,
        onProgress: follow(progress, () => `re-hashing ${iso}`),
      });
    } finally {
      progress.done();
    }
    const ms = performance.now() - started;
    showUnlockCode(code, io, meta.cluster);
    if (args.json) {
      io.stdout(
        toJson({
          ok: true,
          iso: result.output,
          milliseconds: Math.round(ms),
          bytesWritten: result.patched,
          rehashed: args.options.rehash === true,
          md5: result.md5.md5,
          site: meta,
        }),
      );
      return 0;
    }
    if (args.options.quiet === true) return 0;
    const s = makeStyle(io.color.stdout);
    io.stdout(
      `${s.green('✓')} ${iso}: now carries site ${meta.cluster} (render sha256:${meta.renderHash.slice(0, 12)}…), ${result.patched} bytes written in ${ms.toFixed(0)} ms\n` +
        `  media check md5 ${result.md5.md5}\n`,
    );
    return 0;
  },
};
