// fyr compose: the bastion's base installer ISO from osbuild-composer.
import { existsSync } from 'node:fs';
import { checkOutputDir } from '../../util/output-dir.js';
import { FyrError } from '../../errors.js';
import type { CommandSpec } from '../command.js';
import { runCompose } from '../compose-site.js';
import { COMPOSE_OPTIONS, requiredOption } from '../options.js';
import { toJson } from '../report.js';
import { makeStyle } from '../style.js';

export const composeCommand: CommandSpec = {
  name: 'compose',
  summary: "Build the bastion's base installer ISO with osbuild-composer",
  usage: 'fyr compose SITE -o base.iso [--composer WHERE] [--type image-installer] [options]',
  description: [
    "Renders SITE's blueprint (the same for every site of a RHEL release), pushes it to osbuild-composer under a name that carries its content hash (fyr-bastion-rhel9-<hash>), checks that composer offers the compose type, starts the compose, waits showing its state and the time taken, and downloads the image to a temporary name, renamed when complete. A finished compose of the same blueprint is found again through a local index and reused (--no-cache builds anew).",
    'Composer is reached on its unix socket on this machine, or through fyr composer-proxy with a bearer token. Ctrl-C cancels the compose on composer unless --detach. If composer answers with errors, they are shown with their ids; a failed compose shows the end of its osbuild log. The compose state is polled every 5 s (FYR_COMPOSE_POLL_MS changes it).',
  ],
  options: {
    out: { type: 'string', short: 'o', value: 'FILE', help: 'Where to write the image (required)' },
    os: { type: 'string', value: 'OS', help: 'Bastion OS release: rhel9 (default) or rhel10' },
    ...COMPOSE_OPTIONS,
    force: { type: 'boolean', help: 'Replace the output file if it exists' },
    quiet: { type: 'boolean', short: 'q', help: 'No progress and no summary' },
  },
  positionals: { min: 1, max: 1 },
  examples: [
    'fyr compose examples/edge/site.yaml -o base.iso',
    'FYR_COMPOSER_TOKEN=... fyr compose site.yaml --composer https://composer.example.com:8700 -o base.iso --json',
  ],
  async run(args, io) {
    const output = requiredOption(args, 'out', 'missing -o FILE: where to write the installer image');
    // Before the compose: a missing directory would otherwise show only after minutes of it.
    checkOutputDir(output);
    if (existsSync(output) && args.options.force !== true)
      throw new FyrError('OUTPUT_EXISTS', `${output} exists; pass --force to replace it`);
    const result = await runCompose(args.positionals[0]!, output, args, io);
    if (args.json) io.stdout(toJson({ ok: true, ...result }));
    else if (args.options.quiet !== true) {
      const s = makeStyle(io.color.stdout);
      io.stdout(
        `${s.green('✓')} ${output}: ${result.bytes} bytes, sha256 ${result.sha256}\n  compose ${result.id} of ${result.blueprint}${result.reused ? ' (reused)' : ''}\n`,
      );
    }
    return 0;
  },
};
