// The secrets the agent needs, gathered from the site's secrets file: the BMC passwords by node
// (always), and for a sealed site also what the kickstart leaves out: the account hashes and a
// TPM2 site's LUKS recovery passphrase. (A passphrase-mode LUKS passphrase is never on the
// media when sealed: the installer asks the tech for it.)
import { FyrError } from '../errors.js';
import type { AgentSecrets } from '../formats/agent-secrets.js';
import type { SiteView } from './view.js';

// A secret the site names; validation with secrets guarantees it is loaded.
export function reveal(view: SiteView, name: string): string {
  const value = view.site.secrets.reveal(name);
  // Validation with secrets (SECRET_MISSING) guarantees every value; its absence is a bug.
  if (value === undefined) throw new FyrError('INTERNAL', `secret "${name}" is not loaded after validation`);
  return value;
}

export function bmcSecrets(view: SiteView): AgentSecrets {
  const bmc: Record<string, string> = {};
  for (const node of view.site.nodes) {
    const name = node.bmc.passwordSecret;
    const value = name === undefined ? undefined : view.site.secrets.reveal(name);
    if (value !== undefined) bmc[node.name] = value;
  }
  return { bmc };
}

export function agentSecrets(view: SiteView): AgentSecrets {
  const b = view.site.bastion;
  const accounts = [{ user: 'root', hash: reveal(view, b.rootPasswordSecret) }];
  if (b.admin?.passwordSecret !== undefined)
    accounts.push({ user: b.admin.name, hash: reveal(view, b.admin.passwordSecret) });
  const recovery =
    b.encryption === 'tpm2' && b.passphraseSecret !== undefined ? reveal(view, b.passphraseSecret) : undefined;
  return { ...bmcSecrets(view), accounts, ...(recovery !== undefined ? { luksRecovery: recovery } : {}) };
}
