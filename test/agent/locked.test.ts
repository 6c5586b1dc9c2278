// The locked phase with its effects written here: codes from the console prompt and from
// `fyr-agent unlock`'s socket, wrong ones refused and asked again, the right one resealing the
// secrets, setting the account hashes and binding a recovery passphrase's disk to the TPM2.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_OPTIONS, type AgentContext } from '../../src/agent/context.js';
import type { Exec } from '../../src/agent/exec.js';
import { bastionPaths } from '../../src/agent/paths.js';
import { locked, TPM2_POLICY } from '../../src/agent/phases/locked.js';
import { freshState, StateStore } from '../../src/agent/state.js';
import { sendUnlock } from '../../src/agent/unlock.js';
import { agentSecretsJson, type AgentSecrets } from '../../src/formats/agent-secrets.js';
import { seal } from '../../src/seal/age.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const CODE = '11111-22222-33333-44444-55555-66666-77777-88888';
const SECRETS: AgentSecrets = {
  bmc: { 'cp-0': 'bmc-password-0' },
  accounts: [
    { user: 'root', hash: '$6$salt$roothash' },
    { user: 'fyr', hash: '$6$salt$adminhash' },
  ],
  luksRecovery: 'recovery passphrase',
};

interface Call {
  file: string;
  args: readonly string[];
  input?: string;
}

async function setup(answers: string[]) {
  const dir = await makeTmpdir();
  const paths = bastionPaths(dir, { state: dir });
  await mkdir(dirname(paths.sealedSecrets), { recursive: true });
  await writeFile(paths.sealedSecrets, await seal(agentSecretsJson(SECRETS), CODE));
  const calls: Call[] = [];
  const log: string[] = [];
  let asked = 0;
  const exec: Exec = async (file, args, options = {}) => {
    calls.push({ file, args, ...(options.input !== undefined ? { input: options.input } : {}) });
    if (file === 'systemd-ask-password') {
      const answer = answers[asked++];
      // No more answers: wait like the console until the phase withdraws the question.
      if (answer === undefined)
        await new Promise((_, reject) => options.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
      return { exitCode: 0, stdout: `${answer}\n`, stderr: '' };
    }
    if (file === 'systemd-creds') await writeFile(String(args.at(-1)), 'sealed by systemd-creds');
    if (file === 'blkid') return { exitCode: 0, stdout: '/dev/sda3\n', stderr: '' };
    return { exitCode: 0, stdout: '', stderr: '' };
  };
  const now = () => new Date('2026-12-01T00:00:00Z');
  const ctx = {
    paths,
    sealed: true,
    secrets: { bmc: {} },
    site: { cluster: { fqdn: 'edge.example.com' } },
    store: new StateStore(paths.stateFile, freshState('edge.example.com', [], now()), now),
    exec,
    now,
    log: (l: string) => log.push(l),
    options: DEFAULT_OPTIONS,
    sleep: async () => undefined,
    signal: new AbortController().signal,
  } as unknown as AgentContext;
  return { dir, ctx, calls, log };
}

const l = suite('agent :: locked phase');

l('a wrong code at the console is refused and asked again; the right one reseals and sets the hashes', async () => {
  const t = await setup(['12345-12345-12345-12345-12345-12345-12345-12345', CODE.replaceAll('-', '')]);
  try {
    await locked.run(t.ctx, async () => undefined);
    assert.equal(t.ctx.secrets, SECRETS);
    const prompts = t.calls.filter((c) => c.file === 'systemd-ask-password').map((c) => c.args.at(-1));
    assert.equal(prompts, [
      'Unlock code for edge.example.com:',
      'That code does not open the site. Unlock code for edge.example.com:',
    ]);
    assert.ok(t.log.some((x) => x.includes('a wrong unlock code from the console (1 so far)')));
    const creds = t.calls.find((c) => c.file === 'systemd-creds');
    assert.equal(creds?.args.slice(0, 3), ['encrypt', '--with-key=host', '--name=fyr-secrets']);
    assert.equal(JSON.parse(creds?.input ?? '{}').bmc, SECRETS.bmc);
    assert.equal(
      t.calls.find((c) => c.file === 'chpasswd'),
      {
        file: 'chpasswd',
        args: ['-e'],
        input: 'root:$6$salt$roothash\nfyr:$6$salt$adminhash\n',
      },
    );
    assert.equal(
      t.calls.find((c) => c.file === 'clevis'),
      {
        file: 'clevis',
        args: ['luks', 'bind', '-y', '-k', '-', '-d', '/dev/sda3', 'tpm2', TPM2_POLICY],
        input: 'recovery passphrase',
      },
    );
    assert.ok(t.calls.some((c) => c.file === 'dracut'));
    // Run again (a restart after a crash): nothing is done twice.
    const before = t.calls.length;
    await locked.run(t.ctx, async () => undefined);
    assert.is(t.calls.length, before);
    for (const line of t.log) for (const v of [CODE, 'bmc-password-0', 'roothash']) assert.not.match(line, v);
  } finally {
    await removeTmpdir(t.dir);
  }
});

l('over the socket: a wrong code is answered as such, the right one unlocks and ends the console prompt', async () => {
  const t = await setup([]);
  try {
    const phase = locked.run(t.ctx, async () => undefined);
    let wrong;
    for (let i = 0; i < 50 && wrong === undefined; i++) {
      wrong = await sendUnlock(t.ctx.paths.unlockSocket, 'not the code at all, but long enough').catch(() => undefined);
      if (wrong === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(wrong, { ok: false, why: 'that code does not open the site; check it and try again' });
    assert.equal(await sendUnlock(t.ctx.paths.unlockSocket, CODE), { ok: true });
    await phase;
    assert.equal(t.ctx.secrets.bmc, SECRETS.bmc);
    assert.ok(t.log.some((x) => x === 'locked: unlocked from fyr-agent unlock'));
    await sendUnlock(t.ctx.paths.unlockSocket, CODE).then(
      () => assert.unreachable('the socket stays open after unlock'),
      (err) => assert.match(err.message, 'the agent is not waiting for an unlock code'),
    );
  } finally {
    await removeTmpdir(t.dir);
  }
});

l('a damaged sealed file ends the wait with a clear error instead of asking forever', async () => {
  const t = await setup([CODE]);
  try {
    await writeFile(t.ctx.paths.sealedSecrets, 'age-encryption.org/v1\n-> scrypt !!! 18\n--- x\n');
    const err = await locked
      .run(t.ctx, async () => undefined)
      .then(
        () => undefined,
        (e: Error) => e,
      );
    assert.match(String(err?.message), `${t.ctx.paths.sealedSecrets}: the sealed secrets are damaged`);
  } finally {
    await removeTmpdir(t.dir);
  }
});

l.run();
