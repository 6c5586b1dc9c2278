// Locked: a sealed site's secrets wait here for the unlock code, before anything needs one.
// The tech types it at the bastion's console (systemd-ask-password: the console's password
// prompt) or sends it over SSH with `fyr-agent unlock`; a wrong code is said so and asked for
// again, never logged. Opened, the secrets are resealed to this bastion (resealed.ts), so no
// restart asks again, and the accounts the kickstart locked get their password hashes.
import type { Server } from 'node:net';
import { AGENT_FILES } from '../../formats/bastion-layout.js';
import { parseAgentSecrets, type AgentSecrets } from '../../formats/agent-secrets.js';
import { unseal, WrongCodeError } from '../../seal/age.js';
import { once, PhaseError, type AgentContext, type Phase } from '../context.js';
import { reseal, secretValues } from '../resealed.js';
import { readSealed } from '../site.js';
import { serveUnlock, type Verdict } from '../unlock.js';

type Try = (code: string, from: string) => Promise<Verdict>;

// How long a try waits after `failures` wrong codes: nothing for the first three (typos), then
// 1 s doubling to a minute. The socket is root's and the console physical, so this slows only
// someone already at the machine guessing by script; with scrypt per try, a code of 128 bits
// is out of reach either way, and a weak one (refused by fyr, but typed by hand) gains time.
export const unlockDelayMs = (failures: number): number =>
  failures < 3 ? 0 : Math.min(60_000, 1000 * 2 ** (failures - 3));

export const TPM2_POLICY = '{"pcr_bank":"sha256","pcr_ids":"7"}';

// Asks at the console until the code opens the secrets or the phase is done with it.
async function askConsole(ctx: AgentContext, tryCode: Try, opened: () => boolean, signal: AbortSignal): Promise<void> {
  let wrong = false;
  while (!signal.aborted && !opened()) {
    const prompt = `${wrong ? 'That code does not open the site. ' : ''}Unlock code for ${ctx.site.cluster.fqdn}:`;
    let answer: string;
    try {
      answer = (await ctx.exec('systemd-ask-password', ['--timeout=0', '--id=fyr-agent:unlock', prompt], { signal }))
        .stdout;
    } catch (err) {
      if (signal.aborted) return;
      ctx.log(`locked: no console prompt (${(err as Error).message}); waiting for fyr-agent unlock over SSH`);
      return;
    }
    wrong = !(await tryCode(answer, 'the console')).ok;
  }
}

async function waitForCode(ctx: AgentContext, sealed: Buffer): Promise<AgentSecrets> {
  let opened: AgentSecrets | undefined;
  let attempts = 0;
  let busy: Promise<unknown> = Promise.resolve();
  const done = new AbortController();
  const stop = () => done.abort();
  ctx.signal.addEventListener('abort', stop, { once: true });
  let resolveOpened!: () => void;
  let failOpen!: (err: Error) => void;
  const openedNow = new Promise<void>((resolve, reject) => {
    resolveOpened = resolve;
    failOpen = reject;
  });
  // One try at a time: each costs a scrypt run, which also slows guessing.
  const tryCode: Try = (raw, from) => {
    const attempt = busy.then(async (): Promise<Verdict> => {
      if (opened) return { ok: true };
      const wait = unlockDelayMs(attempts);
      if (wait > 0) await ctx.sleep(wait);
      if (opened) return { ok: true };
      try {
        const text = await unseal(sealed, raw);
        const secrets = parseAgentSecrets(JSON.parse(text));
        if (!secrets) return { ok: false, why: 'the sealed file is not the agent’s secrets' };
        opened = secrets;
        ctx.log(`locked: unlocked from ${from}`);
        resolveOpened();
        return { ok: true };
      } catch (err) {
        // A damaged file opens with no code: stop waiting and say so.
        if (!(err instanceof WrongCodeError)) {
          failOpen(new PhaseError(`${ctx.paths.sealedSecrets}: ${(err as Error).message}`));
          return { ok: false, why: 'the sealed secrets on this bastion are damaged; see fyr-agent status' };
        }
        attempts += 1;
        ctx.log(`locked: a wrong unlock code from ${from} (${attempts} so far); asking again`);
        return { ok: false, why: 'that code does not open the site; check it and try again' };
      }
    });
    busy = attempt.catch(() => undefined);
    return attempt;
  };
  let server: Server | undefined;
  try {
    server = await serveUnlock(ctx.paths.unlockSocket, tryCode);
  } catch (err) {
    ctx.log(`locked: cannot open ${ctx.paths.unlockSocket} (${(err as Error).message}); the console only`);
  }
  const console = askConsole(ctx, tryCode, () => opened !== undefined, done.signal);
  try {
    await Promise.race([
      openedNow,
      new Promise<never>((_, reject) =>
        ctx.signal.addEventListener('abort', () => reject(new Error('stopped')), { once: true }),
      ),
    ]);
  } finally {
    done.abort();
    ctx.signal.removeEventListener('abort', stop);
    server?.close();
    await console.catch(() => undefined);
  }
  return opened!;
}

export const locked: Phase = {
  name: 'locked',
  title: 'wait for the unlock code, then reseal the secrets to this bastion',
  attempts: 3,
  async run(ctx, progress) {
    if (!ctx.sealed) {
      await progress(`the site was built with --no-seal: its secrets came in clear (${AGENT_FILES.secrets})`);
      return;
    }
    if (Object.keys(ctx.secrets.bmc).length === 0 && ctx.secrets.accounts === undefined) {
      const sealed = await readSealed(ctx.paths.sealedSecrets);
      await progress('waiting for the unlock code: type it at the console, or run `fyr-agent unlock` over SSH');
      const secrets = await waitForCode(ctx, sealed);
      const key = await reseal(ctx.exec, ctx.paths.resealedSecrets, secrets);
      ctx.secrets = secrets;
      await progress(`unlocked; the secrets are resealed to this bastion's ${key === 'tpm2' ? 'TPM2' : 'host key'}`);
    }
    const accounts = ctx.secrets.accounts ?? [];
    if (accounts.length > 0)
      await once(ctx, 'account-passwords', async () => {
        // chpasswd -e takes crypt(3) hashes on stdin, and replaces the kickstart's lock.
        await ctx.exec('chpasswd', ['-e'], {
          input: accounts.map((a) => `${a.user}:${a.hash}\n`).join(''),
          secrets: secretValues(ctx.secrets),
        });
      });
    // A TPM2 bastion with a recovery passphrase: the tech typed that passphrase at the install
    // (the sealed kickstart has none); the disk is bound to the TPM2 now, with the same command
    // an unsealed kickstart runs in %post (PCR 7: the Secure Boot state).
    const recovery = ctx.secrets.luksRecovery;
    if (recovery !== undefined)
      await once(ctx, 'luks-tpm2-bind', async () => {
        const dev = (await ctx.exec('blkid', ['-t', 'TYPE=crypto_LUKS', '-o', 'device'])).stdout.split('\n')[0]?.trim();
        if (!dev) throw new PhaseError('no LUKS volume found to bind to the TPM2 (blkid -t TYPE=crypto_LUKS)');
        await ctx.exec('clevis', ['luks', 'bind', '-y', '-k', '-', '-d', dev, 'tpm2', TPM2_POLICY], {
          input: recovery,
          secrets: [recovery],
        });
        await ctx.exec('dracut', ['-f', '--regenerate-all']);
      });
  },
};
