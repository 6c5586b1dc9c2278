// Option values that several commands read the same way: files named on the command line,
// SOURCE_DATE_EPOCH, fyr's cache directory, sizes for humans.
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SOCKET } from '../composer/transport.js';
import { FyrError } from '../errors.js';
import type { InstallSource, OsRelease } from '../render/index.js';
import { readCapped } from '../util/read-capped.js';
import { makeStyle } from './style.js';
import type { ParsedArgs } from './command.js';
import type { Io } from './io.js';

// An option the command cannot do without; missing or empty is a usage error with `message`.
export function requiredOption(args: ParsedArgs, name: string, message: string, details?: readonly string[]): string {
  const value = args.options[name];
  if (typeof value !== 'string' || value === '') throw new FyrError('USAGE', message, details ? { details } : {});
  return value;
}

// A file named by an option (tokens, a CA, a key): a regular file of at most 1 MiB.
export function readOptionFile(file: string, option: string): string {
  try {
    return readCapped(file, 1 << 20).toString('utf8');
  } catch (err) {
    throw new FyrError('USAGE', `${option} ${file}: cannot read it (${(err as Error).message})`);
  }
}

// A file that opens something (the unlock code, composer tokens): a copy others on this machine
// can read is worth a word.
export function warnIfShared(file: string, option: string, io: Io): void {
  const mode = statSync(file, { throwIfNoEntry: false })?.mode;
  if (mode === undefined || (mode & 0o077) === 0) return;
  const s = makeStyle(io.color.stderr);
  io.stderr(
    `${s.yellow('warning')}: ${option} ${file} is readable by ${mode & 0o007 ? 'every user' : 'its group'} (mode ${(mode & 0o777).toString(8)}); chmod 600 it\n`,
  );
}

export function sourceDateEpoch(io: Io): number | undefined {
  const value = io.env.SOURCE_DATE_EPOCH;
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,12}$/.test(value))
    throw new FyrError('USAGE', `SOURCE_DATE_EPOCH=${value}: expected seconds since 1970 (digits only)`);
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

// The render choices that render, build, customize, flash and compose share.
export const OS: readonly OsRelease[] = ['rhel9', 'rhel10'];
export const SOURCES: readonly InstallSource[] = ['liveimg', 'dvd'];

export function choice<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new FyrError('USAGE', `--${name} ${String(value)}: expected ${allowed.join(' or ')}`);
}

export const RENDER_OPTIONS = {
  os: { type: 'string', value: 'OS', help: 'Bastion OS release: rhel9 (default) or rhel10' },
  source: {
    type: 'string',
    value: 'SRC',
    help: 'Kickstart install source: liveimg (composer image-installer payload, default) or dvd (RHEL DVD repositories)',
  },
  secrets: { type: 'string', value: 'FILE', help: 'Use this secrets file instead of the one the site names' },
  strict: { type: 'boolean', help: 'Refuse a secrets file others can read (otherwise a warning)' },
} as const;

// Sealing, for every command that writes a site: render, build, customize, flash --site.
export const SEAL_OPTIONS = {
  'unlock-code-file': {
    type: 'string',
    value: 'FILE',
    help: 'Seal the secrets to the unlock code in FILE (CI keeps it in its secret store); without it a new code is made and shown once on the terminal',
  },
  'no-seal': {
    type: 'boolean',
    help: 'Leave the secrets in clear on the media (password hashes in ks.cfg, BMC passwords in the bundle): labs only',
  },
} as const;

// Sizes for humans: 256K, 8M, 1G (binary units).
const UNITS: Record<string, number> = {
  '': 1,
  K: 1024,
  KI: 1024,
  KIB: 1024,
  M: 1024 ** 2,
  MI: 1024 ** 2,
  MIB: 1024 ** 2,
  G: 1024 ** 3,
  GI: 1024 ** 3,
  GIB: 1024 ** 3,
};

export function parseSize(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const m = /^(\d+)\s*([A-Za-z]*)$/.exec(String(value));
  const unit = m ? UNITS[m[2]!.toUpperCase()] : undefined;
  if (!m || unit === undefined)
    throw new FyrError('USAGE', `--${name} ${String(value)}: expected a size such as 256K, 8M or 1G`);
  const bytes = Number(m[1]) * unit;
  if (bytes < 4096 || bytes > 1024 ** 3)
    throw new FyrError('USAGE', `--${name} ${String(value)}: expected between 4K and 1G`);
  return bytes;
}

// How every command that composes reaches osbuild-composer.
export const COMPOSE_OPTIONS = {
  composer: {
    type: 'string',
    value: 'WHERE',
    help: `unix:/path/to/api.socket or https://host:port of fyr composer-proxy (default: $FYR_COMPOSER or unix:${DEFAULT_SOCKET})`,
  },
  type: { type: 'string', value: 'TYPE', help: 'Compose type (default image-installer)' },
  'token-file': { type: 'string', value: 'FILE', help: 'Bearer token for the proxy (default: $FYR_COMPOSER_TOKEN)' },
  ca: { type: 'string', value: 'FILE', help: "PEM CA certificate of the proxy's TLS certificate" },
  'cache-dir': {
    type: 'string',
    value: 'DIR',
    help: 'Where the index of finished composes is kept (default: $XDG_CACHE_HOME/fyr or ~/.cache/fyr)',
  },
  'no-cache': { type: 'boolean', help: 'Build anew even if a finished compose of the same blueprint exists' },
  detach: { type: 'boolean', help: 'On Ctrl-C, leave the compose running on composer instead of cancelling it' },
} as const;
