// The secrets resealed on the bastion after the one unlock, with systemd-creds: bound to the
// TPM2 where there is one, else to the host key on the encrypted disk. Restarts, crashes and
// reboots read them from here, so the unlock code is asked for once.
import { chmod, rename, rm } from 'node:fs/promises';
import { parseAgentSecrets, agentSecretsJson, type AgentSecrets } from '../formats/agent-secrets.js';
import type { Exec } from './exec.js';
import { exists } from './files.js';

const NAME = 'fyr-secrets';
const TPM = '/sys/class/tpm/tpm0';

// Every value in the secrets, to mask in anything a command echoes.
export const secretValues = (s: AgentSecrets): string[] => [
  ...Object.values(s.bmc),
  ...(s.accounts ?? []).map((a) => a.hash),
  ...(s.luksRecovery !== undefined ? [s.luksRecovery] : []),
];

export async function reseal(exec: Exec, path: string, secrets: AgentSecrets): Promise<'tpm2' | 'host'> {
  const key = (await exists(TPM)) ? 'tpm2' : 'host';
  const tmp = `${path}.tmp`;
  await rm(tmp, { force: true });
  await exec('systemd-creds', ['encrypt', `--with-key=${key}`, `--name=${NAME}`, '-', tmp], {
    input: agentSecretsJson(secrets),
    secrets: secretValues(secrets),
  });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
  return key;
}

// undefined when nothing was resealed yet.
export async function readResealed(exec: Exec, path: string): Promise<AgentSecrets | undefined> {
  if (!(await exists(path))) return undefined;
  const r = await exec('systemd-creds', ['decrypt', `--name=${NAME}`, path, '-']);
  let parsed: AgentSecrets | undefined;
  try {
    parsed = parseAgentSecrets(JSON.parse(r.stdout));
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined) throw new Error(`${path}: systemd-creds did not give back the agent's secrets`);
  return parsed;
}
