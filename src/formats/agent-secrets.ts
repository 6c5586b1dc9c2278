// The agent's secrets (format fyr-agent-secrets/1): the BMC passwords by node name and, when the
// site is sealed, the account password hashes and a LUKS recovery passphrase that the kickstart
// then leaves out. Unsealed (--no-seal) it is bundle/etc/fyr/bmc-secrets.json with the BMC
// passwords only; sealed it is the plaintext inside etc/fyr/secrets.age. Root-only on the
// bastion; its values never go into a message.
export const AGENT_SECRETS_FORMAT = 'fyr-agent-secrets/1';

export interface AccountHash {
  user: string;
  // crypt(3) hash, as the kickstart's rootpw --iscrypted takes it.
  hash: string;
}

export interface AgentSecrets {
  // BMC password by node name.
  bmc: Record<string, string>;
  // Set by the agent after unlock (the sealed kickstart locks the accounts).
  accounts?: AccountHash[];
  // Added by the agent to the bastion's TPM2-bound LUKS volume after unlock.
  luksRecovery?: string;
}

export const agentSecretsJson = (secrets: AgentSecrets): string =>
  `${JSON.stringify({ format: AGENT_SECRETS_FORMAT, ...secrets }, null, 2)}\n`;

const isString = (v: unknown): v is string => typeof v === 'string';

// undefined when the value is not such a file (the caller names the file in its error).
export function parseAgentSecrets(value: unknown): AgentSecrets | undefined {
  const file = value as { format?: unknown; bmc?: unknown; accounts?: unknown; luksRecovery?: unknown } | null;
  if (file?.format !== AGENT_SECRETS_FORMAT || typeof file.bmc !== 'object' || file.bmc === null) return undefined;
  if (!Object.values(file.bmc).every(isString)) return undefined;
  const accounts = file.accounts;
  if (
    accounts !== undefined &&
    !(Array.isArray(accounts) && accounts.every((a) => isString(a?.user) && isString(a?.hash)))
  )
    return undefined;
  if (file.luksRecovery !== undefined && !isString(file.luksRecovery)) return undefined;
  return {
    bmc: file.bmc as Record<string, string>,
    ...(accounts !== undefined ? { accounts: accounts as AccountHash[] } : {}),
    ...(file.luksRecovery !== undefined ? { luksRecovery: file.luksRecovery } : {}),
  };
}
