// fyr compose: the bastion's base installer ISO from osbuild-composer.
import { existsSync } from 'node:fs';
import { composeImage, type ComposeEvent, type ComposeResult } from '../../composer/compose.js';
import { makeTransport } from '../../composer/transport.js';
import { WeldrClient } from '../../composer/weldr.js';
import { FyrError } from '../../errors.js';
import { DEFAULT_RENDER_OPTIONS, renderSite } from '../../render/index.js';
import type { CommandSpec, ParsedArgs } from '../command.js';
import type { Io } from '../io.js';
import { cacheDir, readOptionFile } from '../options.js';
import { makeProgress } from '../progress.js';
import { toJson } from '../report.js';
import { loadValidSite, printWarnings } from '../site-input.js';
import { makeStyle } from '../style.js';
import { choice, OS } from './render.js';

export const DEFAULT_COMPOSER = 'unix:/run/weldr/api.socket';

export const COMPOSE_OPTIONS = {
  composer: { type: 'string', value: 'WHERE', help: `unix:/path/to/api.socket or https://host:port of fyr composer-proxy (default: $FYR_COMPOSER or ${DEFAULT_COMPOSER})` },
  type: { type: 'string', value: 'TYPE', help: 'Compose type (default image-installer)' },
  'token-file': { type: 'string', value: 'FILE', help: 'Bearer token for the proxy (default: $FYR_COMPOSER_TOKEN)' },
  ca: { type: 'string', value: 'FILE', help: "PEM CA certificate of the proxy's TLS certificate" },
  'cache-dir': { type: 'string', value: 'DIR', help: 'Where the index of finished composes is kept (default: $XDG_CACHE_HOME/fyr or ~/.cache/fyr)' },
  'no-cache': { type: 'boolean', help: 'Build anew even if a finished compose of the same blueprint exists' },
  detach: { type: 'boolean', help: 'On Ctrl-C, leave the compose running on composer instead of cancelling it' },
} as const;

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

// Runs a compose for SITE's blueprint into `output`, with progress on stderr.
export async function runCompose(siteFile: string, output: string, args: ParsedArgs, io: Io): Promise<ComposeResult> {
  const os = choice('os', args.options.os, OS, DEFAULT_RENDER_OPTIONS.os);
  const { site, warnings } = await loadValidSite(siteFile, {});
  if (!args.json) printWarnings(warnings, io);
  const rendered = renderSite(site, { ...DEFAULT_RENDER_OPTIONS, os });
  const content = rendered.files.find((f) => f.path === 'blueprint.toml')!.content;
  const tokenFile = str(args.options['token-file']);
  const token = tokenFile ? readOptionFile(tokenFile, '--token-file').trim() : str(io.env.FYR_COMPOSER_TOKEN);
  const caFile = str(args.options.ca);
  const transport = makeTransport(str(args.options.composer) ?? str(io.env.FYR_COMPOSER) ?? DEFAULT_COMPOSER, { ...(token ? { token } : {}), ...(caFile ? { ca: readOptionFile(caFile, '--ca') } : {}) });
  const progress = makeProgress(io, { quiet: args.options.quiet === true || args.json });
  const style = makeStyle(io.color.stderr);
  const poll = str(io.env.FYR_COMPOSE_POLL_MS);
  const onProgress = (e: ComposeEvent) => {
    if (e.phase === 'note') progress.note(e.message!);
    else if (e.phase === 'warning') progress.note(`${style.yellow('composer warning:')} ${e.message}`);
    else if (e.phase === 'state') progress.update(`compose ${e.id}: ${e.state}, ${Math.floor(e.seconds / 60)}m ${Math.floor(e.seconds % 60)}s`, e.state === 'FINISHED' ? 1 : e.state === 'RUNNING' ? 0.5 : 0);
    else progress.update(`downloading ${output}`, e.total ? (e.done ?? 0) / e.total : 0);
  };
  try {
    return await composeImage({
      client: new WeldrClient(transport),
      blueprint: { name: rendered.blueprint.name, content, sha256: rendered.blueprint.sha256 },
      type: str(args.options.type) ?? 'image-installer',
      output,
      cacheDir: cacheDir(args, io),
      noCache: args.options['no-cache'] === true,
      detach: args.options.detach === true,
      ...(poll ? { pollMs: Number(poll) } : {}),
      ...(io.signal ? { signal: io.signal } : {}),
      onProgress,
    });
  } finally {
    progress.done();
  }
}

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
  examples: ['fyr compose examples/edge/site.yaml -o base.iso', 'FYR_COMPOSER_TOKEN=... fyr compose site.yaml --composer https://composer.example.com:8700 -o base.iso --json'],
  async run(args, io) {
    const output = str(args.options.out);
    if (!output) throw new FyrError('USAGE', 'missing -o FILE: where to write the installer image');
    if (existsSync(output) && args.options.force !== true) throw new FyrError('OUTPUT_EXISTS', `${output} exists; pass --force to replace it`);
    const result = await runCompose(args.positionals[0]!, output, args, io);
    if (args.json) io.stdout(toJson({ ok: true, ...result }));
    else if (args.options.quiet !== true) {
      const s = makeStyle(io.color.stdout);
      io.stdout(`${s.green('✓')} ${output}: ${result.bytes} bytes, sha256 ${result.sha256}\n  compose ${result.id} of ${result.blueprint}${result.reused ? ' (reused)' : ''}\n`);
    }
    return 0;
  },
};
