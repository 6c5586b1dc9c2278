// Sealing a site's secrets for render, build, customize and flash --site: the unlock code from
// --unlock-code-file or made here (and shown once, on a terminal only, so it never lands in a CI
// log), the age seal around RenderResult.secrets, or --no-seal's loud warning.
import { FyrError } from '../errors.js';
import { agentSecretsJson } from '../formats/agent-secrets.js';
import { SEALED_SECRETS } from '../formats/sealed-secrets.js';
import type { RenderResult } from '../render/index.js';
import { warnIfShared } from './options.js';
import { readCapped } from '../util/read-capped.js';
import { codeProblem, generateUnlockCode, normalizeCode, seal } from '../seal/index.js';
import type { ParsedArgs } from './command.js';
import type { Io } from './io.js';
import { makeStyle } from './style.js';

export interface UnlockCode {
  code: string;
  // Made by this run: show it once the command succeeds.
  generated: boolean;
}

const sealWanted = (args: ParsedArgs): boolean => args.options['no-seal'] !== true;

async function codeFromFile(file: string, io: Io): Promise<string> {
  let text: string;
  try {
    text = readCapped(file, 64 * 1024).toString('utf8');
  } catch (err) {
    throw new FyrError('UNLOCK_CODE_INVALID', `--unlock-code-file ${file}: cannot read it (${(err as Error).message})`);
  }
  const code = normalizeCode(text);
  const problem = codeProblem(code);
  if (problem !== undefined) throw new FyrError('UNLOCK_CODE_INVALID', `--unlock-code-file ${file}: ${problem}`);
  warnIfShared(file, '--unlock-code-file', io);
  return code;
}

// The code to seal with; undefined for --no-seal (after its warning). isoSealed: the ISO being
// customized carries sealed secrets already, so a new code is made only when asked for.
export async function unlockCode(args: ParsedArgs, io: Io, isoSealed = false): Promise<UnlockCode | undefined> {
  const file = args.options['unlock-code-file'];
  if (!sealWanted(args)) {
    if (typeof file === 'string') throw new FyrError('USAGE', '--no-seal and --unlock-code-file contradict each other');
    const s = makeStyle(io.color.stderr);
    io.stderr(
      `${s.yellow('warning')}: --no-seal: the BMC passwords, password hashes and any LUKS passphrase are in clear on the media; anyone holding the stick or the ISO can read them. Labs only.\n`,
    );
    return undefined;
  }
  if (typeof file === 'string') return { code: await codeFromFile(file, io), generated: false };
  if (isoSealed && args.options['new-unlock-code'] !== true)
    throw new FyrError(
      'UNLOCK_CODE_REQUIRED',
      'the ISO is sealed: give --unlock-code-file FILE to seal the new site to a code (the current one keeps what the tech knows), or --new-unlock-code to make a new one',
    );
  if (io.stderrIsTTY !== true)
    throw new FyrError(
      'UNLOCK_CODE_REQUIRED',
      'a new unlock code is shown only on a terminal, and stderr is not one: give --unlock-code-file FILE (e.g. from `openssl rand -hex 16`, kept in the CI secret store), or --no-seal for a lab',
    );
  return { code: generateUnlockCode(), generated: true };
}

// etc/fyr/secrets.age for the bundle: the agent's secrets, sealed.
export async function sealedSecretsFile(
  rendered: RenderResult,
  code: UnlockCode,
): Promise<{ path: string; mode: number; content: Buffer }> {
  if (rendered.secrets === undefined) throw new FyrError('INTERNAL', 'a sealed render carries no secrets to seal');
  const content = await seal(agentSecretsJson(rendered.secrets), code.code);
  return { path: `bundle${SEALED_SECRETS}`, mode: 0o600, content };
}

// Shown once, after the work is done, on the terminal only.
export function showUnlockCode(code: UnlockCode | undefined, io: Io, cluster: string): void {
  if (code?.generated !== true) return;
  const s = makeStyle(io.color.stderr);
  io.stderr(
    `\n${s.bold('Unlock code')} for ${cluster} (shown this once; fyr keeps no copy):\n\n    ${code.code}\n\n` +
      "The tech types it at the bastion's console (or runs `fyr-agent unlock` over SSH) at first boot.\n" +
      'Keep it apart from the stick: whoever has both can open the site.\n\n',
  );
}
