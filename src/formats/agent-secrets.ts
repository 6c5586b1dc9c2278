// The agent's secrets file (format fyr-agent-secrets/1, bundle/etc/fyr/bmc-secrets.json): the
// BMC passwords by node name. fyr render writes it, the agent reads it; root-only on the
// bastion. Its values never go into a message.
export const AGENT_SECRETS_FORMAT = 'fyr-agent-secrets/1';

export interface AgentSecrets {
  // BMC password by node name.
  bmc: Record<string, string>;
}

export const agentSecretsJson = (secrets: AgentSecrets): string =>
  `${JSON.stringify({ format: AGENT_SECRETS_FORMAT, bmc: secrets.bmc }, null, 2)}\n`;

// undefined when the value is not such a file (the caller names the file in its error).
export function parseAgentSecrets(value: unknown): AgentSecrets | undefined {
  const file = value as { format?: unknown; bmc?: unknown } | null;
  if (file?.format !== AGENT_SECRETS_FORMAT || typeof file.bmc !== 'object' || file.bmc === null) return undefined;
  return { bmc: file.bmc as Record<string, string> };
}
