// Every command, and run(): argv dispatched among them (dispatch.ts), the one error boundary.
// Tests and the docs generator use this; the fyr executable loads only the command it runs
// (main.ts) and comes here for help, a misspelt command and the like.
import type { CommandSpec } from './command.js';
import { initCommand } from './commands/init.js';
import { schemaCommand } from './commands/schema.js';
import { validateCommand } from './commands/validate.js';
import { renderCommand } from './commands/render.js';
import { contentCommand } from './commands/content.js';
import { releaseCommand } from './commands/release.js';
import { buildCommand } from './commands/build.js';
import { customizeCommand } from './commands/customize.js';
import { inspectCommand } from './commands/inspect.js';
import { flashCommand } from './commands/flash.js';
import { composeCommand } from './commands/compose.js';
import { composerProxyCommand } from './commands/composer-proxy.js';
import { runCommands } from './dispatch.js';
import type { Io } from './io.js';

export const COMMANDS: readonly CommandSpec[] = [
  validateCommand,
  renderCommand,
  composeCommand,
  composerProxyCommand,
  contentCommand,
  releaseCommand,
  buildCommand,
  customizeCommand,
  inspectCommand,
  flashCommand,
  initCommand,
  schemaCommand,
];

export function run(argv: readonly string[], io: Io): Promise<number> {
  return runCommands(COMMANDS, argv, io);
}
