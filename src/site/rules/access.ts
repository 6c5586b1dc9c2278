// Rules about how people get in: SSH keys.
import type { Rule } from './context.js';

// Without keys, nodes are reachable only through `oc debug`, and the bastion only by password.
export const sshKeysGiven: Rule = ({ site, report }) => {
  if (site.sshKeys.length === 0) {
    report({
      severity: 'warning',
      code: 'SSH_KEYS_NONE',
      path: ['sshKeys'],
      message: 'no SSH public keys: nobody can log in to the nodes over SSH',
      expected: 'one or more lines such as "ssh-ed25519 AAAA... tech@laptop"',
    });
  }
};
