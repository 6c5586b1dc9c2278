// Runs a compose of a site's blueprint for fyr compose and fyr release --compose, with its
// progress on stderr.
import { composeImage, type ComposeEvent, type ComposeResult } from '../composer/compose.js';
import { DEFAULT_SOCKET, makeTransport } from '../composer/transport.js';
import { WeldrClient } from '../composer/weldr.js';
import { DEFAULT_RENDER_OPTIONS, renderSite } from '../render/index.js';
import type { ParsedArgs } from './command.js';
import type { Io } from './io.js';
import { cacheDir, choice, OS, readOptionFile, warnIfShared } from './options.js';
import { makeProgress } from './progress.js';
import { loadValidSite, printWarnings } from './site-input.js';
import { makeStyle } from './style.js';

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

export async function runCompose(siteFile: string, output: string, args: ParsedArgs, io: Io): Promise<ComposeResult> {
  const os = choice('os', args.options.os, OS, DEFAULT_RENDER_OPTIONS.os);
  const { site, warnings } = await loadValidSite(siteFile, {});
  if (!args.json) printWarnings(warnings, io);
  const rendered = renderSite(site, { ...DEFAULT_RENDER_OPTIONS, os });
  const content = rendered.files.find((f) => f.path === 'blueprint.toml')!.content;
  const tokenFile = str(args.options['token-file']);
  const token = tokenFile ? readOptionFile(tokenFile, '--token-file').trim() : str(io.env.FYR_COMPOSER_TOKEN);
  if (tokenFile) warnIfShared(tokenFile, '--token-file', io);
  const caFile = str(args.options.ca);
  const transport = makeTransport(str(args.options.composer) ?? str(io.env.FYR_COMPOSER) ?? `unix:${DEFAULT_SOCKET}`, {
    ...(token ? { token } : {}),
    ...(caFile ? { ca: readOptionFile(caFile, '--ca') } : {}),
  });
  const progress = makeProgress(io, { quiet: args.options.quiet === true || args.json });
  const style = makeStyle(io.color.stderr);
  const poll = str(io.env.FYR_COMPOSE_POLL_MS);
  const onProgress = (e: ComposeEvent) => {
    if (e.phase === 'note') progress.note(e.message!);
    else if (e.phase === 'warning') progress.note(`${style.yellow('composer warning:')} ${e.message}`);
    else if (e.phase === 'state')
      progress.update(
        `compose ${e.id}: ${e.state}, ${Math.floor(e.seconds / 60)}m ${Math.floor(e.seconds % 60)}s`,
        e.state === 'FINISHED' ? 1 : e.state === 'RUNNING' ? 0.5 : 0,
      );
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
