// Dispatches argv to a command and is the one error boundary: only here do errors become
// messages and exit codes. Process-free, so tests call it directly with a captured Io. It loads
// no command itself: run.ts hands it every command, main.ts only the one it runs.
import { parseArgs } from 'node:util';
import { EXIT, FyrError, InvalidInputError, isFyrError, type VerifyFailedError } from '../errors.js';
import { didYouMean } from '../util/did-you-mean.js';
import { noSpace } from '../util/write-error.js';
import { packageVersion } from '../util/package-info.js';
import { COMMON_OPTIONS, type CommandSpec, type ParsedArgs } from './command.js';
import { commandHelp, mainHelp } from './help.js';
import type { Io } from './io.js';
import { countLabel, formatProblem, problemJson, toJson } from './report.js';
import { makeStyle } from './style.js';

// The spellings that print the version; they need no command (main.ts loads none for them).
export const VERSION_ARGS: ReadonlySet<string> = new Set(['--version', '-V', 'version']);

// Runs argv's command among `commands`; every error ends here as a message and an exit code.
export async function runCommands(commands: readonly CommandSpec[], argv: readonly string[], io: Io): Promise<number> {
  const json = argv.includes('--json');
  try {
    return await dispatch(commands, argv, io);
  } catch (err) {
    return report(err, io, json);
  }
}

async function dispatch(commands: readonly CommandSpec[], argv: readonly string[], io: Io): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr(mainHelp(commands, packageVersion()));
    return EXIT.usage;
  }
  if (first === '--help' || first === '-h') {
    io.stdout(mainHelp(commands, packageVersion()));
    return EXIT.ok;
  }
  if (VERSION_ARGS.has(first)) {
    io.stdout(argv.includes('--json') ? toJson({ version: packageVersion() }) : `fyr ${packageVersion()}\n`);
    return EXIT.ok;
  }
  if (first === 'help') {
    const topic = rest[0];
    if (topic === undefined) {
      io.stdout(mainHelp(commands, packageVersion()));
      return EXIT.ok;
    }
    io.stdout(commandHelp(findCommand(commands, topic)));
    return EXIT.ok;
  }
  const command = findCommand(commands, first);
  const args = parseCommandArgs(command, rest);
  if (args.options.help === true) {
    io.stdout(commandHelp(command));
    return EXIT.ok;
  }
  return command.run(args, io);
}

function findCommand(commands: readonly CommandSpec[], name: string): CommandSpec {
  const command = commands.find((c) => c.name === name);
  if (command !== undefined) return command;
  const hint = didYouMean(
    name,
    commands.map((c) => c.name),
  );
  const what = name.startsWith('-') ? `unknown option "${name}"` : `unknown command "${name}"`;
  throw new FyrError('USAGE', `${what}${hint ? ` (did you mean "${hint}"?)` : ''}`, {
    details: [`Commands: ${commands.map((c) => c.name).join(', ')}. See fyr --help.`],
  });
}

function parseCommandArgs(command: CommandSpec, args: string[]): ParsedArgs {
  const specs = { ...command.options, ...COMMON_OPTIONS };
  const options = Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => [
      name,
      {
        type: spec.type,
        ...(spec.short ? { short: spec.short } : {}),
        ...(spec.multiple ? { multiple: true } : {}),
      },
    ]),
  );
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new FyrError('USAGE', `${command.name}: ${cleanParseMessage((err as Error).message)}`, {
      details: [`See fyr ${command.name} --help.`],
      cause: err,
    });
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (values.help !== true) {
    const { min, max } = command.positionals;
    const count = parsed.positionals.length;
    if (count < min || count > max) {
      const problem = count < min ? 'missing argument' : `unexpected argument "${parsed.positionals[max] ?? ''}"`;
      throw new FyrError('USAGE', `${command.name}: ${problem}`, { details: [`Usage: ${command.usage}`] });
    }
  }
  return { positionals: parsed.positionals, options: values, json: values.json === true };
}

// node:util's messages mention "allowPositionals" and similar API terms; keep the useful part.
function cleanParseMessage(message: string): string {
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option "${unknown[1]}"`;
  const missing = /Option '([^']+)' argument missing/.exec(message);
  if (missing) return `option "${optionName(missing[1])}" needs a value`;
  const notString = /Option '([^']+)' does not take an argument/.exec(message);
  if (notString) return `option "${optionName(notString[1])}" takes no value`;
  return message.split('. ')[0] ?? message;
}

// "-q, --quiet <value>" -> "--quiet"
function optionName(text: string | undefined): string {
  return (text ?? '').replace(/^-\w, /, '').replace(/ <value>$/, '');
}

function report(thrown: unknown, io: Io, json: boolean): number {
  const style = makeStyle(io.color.stderr);
  const err = settle(thrown, io);
  if (err instanceof InvalidInputError) {
    const errors = err.problems.filter((p) => p.severity === 'error');
    const warnings = err.problems.filter((p) => p.severity === 'warning');
    if (json) {
      io.stdout(
        toJson({
          ok: false,
          error: { code: err.code, message: err.message },
          errors: errors.map(problemJson),
          warnings: warnings.map(problemJson),
        }),
      );
    } else {
      for (const problem of err.problems) io.stderr(`${formatProblem(problem, style)}\n`);
      io.stderr(
        `${style.red('fyr: invalid:')} ${countLabel(errors.length, 'error')}${warnings.length > 0 ? `, ${countLabel(warnings.length, 'warning')}` : ''}; nothing was written.\n`,
      );
    }
    return err.exitCode;
  }
  // Checked by code, not class: tests load src/ while the CLI they run is dist/.
  if (isFyrError(err) && err.code === 'VERIFY_FAILED' && 'report' in err && json) {
    io.stdout(
      toJson({
        ok: false,
        ...(err as VerifyFailedError).report,
        error: { code: err.code, message: err.message, details: err.detailLines },
      }),
    );
    return err.exitCode;
  }
  if (isFyrError(err)) {
    if (json) {
      io.stdout(toJson({ ok: false, error: { code: err.code, message: err.message, details: err.detailLines } }));
    } else {
      io.stderr(`${style.red('fyr: error:')} ${err.message} ${style.dim(`[${err.code}]`)}\n`);
      for (const line of err.detailLines) io.stderr(`  ${line}\n`);
    }
    return err.exitCode;
  }
  // Anything else is a bug in fyr: say so briefly; the stack only on request.
  const message = err instanceof Error ? err.message : String(err);
  if (json) {
    io.stdout(toJson({ ok: false, error: { code: 'INTERNAL', message } }));
  } else {
    io.stderr(`${style.red('fyr: internal error (this is a bug in fyr):')} ${message}\n`);
    if (io.env.FYR_DEBUG && err instanceof Error && err.stack)
      io.stderr(`  Please report it with the command you ran and this stack trace:\n${err.stack}\n`);
    else io.stderr('  Please report it with the command you ran. Set FYR_DEBUG=1 to see the stack trace.\n');
  }
  return EXIT.internal;
}

// What an error means for the user once the run is over. After Ctrl-C (or a closed output
// pipe) there is one outcome, whatever the stopped work threw on its way out: a program killed
// by the same signal, a write cut short. A full disk hit by a write no catalogue error wraps is
// NO_SPACE naming the file, not a bug.
function settle(err: unknown, io: Io): unknown {
  if (io.signal?.aborted && !(isFyrError(err) && err.code === 'INTERRUPTED')) {
    const reason = io.signal.reason instanceof Error ? io.signal.reason.message : 'stopped';
    return new FyrError('INTERRUPTED', `${reason}; temporary files were removed`, { cause: err });
  }
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (!isFyrError(err) && (code === 'ENOSPC' || code === 'EDQUOT')) {
    const path = (err as NodeJS.ErrnoException).path;
    if (path === undefined)
      return new FyrError('NO_SPACE', 'no space left on a filesystem fyr was writing to', { cause: err });
    return noSpace(path, err);
  }
  return err;
}
