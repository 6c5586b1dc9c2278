// Option values that several commands read the same way: files named on the command line,
// SOURCE_DATE_EPOCH, fyr's cache directory, sizes for humans.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { FyrError } from '../errors.js';
import type { ParsedArgs } from './command.js';
import type { Io } from './io.js';

// An option the command cannot do without; missing or empty is a usage error with `message`.
export function requiredOption(args: ParsedArgs, name: string, message: string, details?: readonly string[]): string {
  const value = args.options[name];
  if (typeof value !== 'string' || value === '') throw new FyrError('USAGE', message, details ? { details } : {});
  return value;
}

export function readOptionFile(file: string, option: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new FyrError('USAGE', `${option} ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

export function sourceDateEpoch(io: Io): number | undefined {
  const value = io.env.SOURCE_DATE_EPOCH;
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,12}$/.test(value)) throw new FyrError('USAGE', `SOURCE_DATE_EPOCH=${value}: expected seconds since 1970 (digits only)`);
  return Number(value);
}

// --cache-dir, else $XDG_CACHE_HOME/fyr, else ~/.cache/fyr.
export function cacheDir(args: ParsedArgs, io: Io): string {
  const given = args.options['cache-dir'];
  if (typeof given === 'string' && given !== '') return given;
  const xdg = io.env.XDG_CACHE_HOME;
  return join(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.cache'), 'fyr');
}

export const mib = (n: number) => `${(n / 1024 ** 2).toFixed(1)} MiB`;
