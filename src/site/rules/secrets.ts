// Rules linking the site to its secrets file: every reference resolves, every value suits its
// use. Messages name secrets, never their values.
import { didYouMean } from '../../util/did-you-mean.js';
import { formatPath, type PathSegment } from '../path.js';
import type { Site } from '../model.js';
import type { Rule } from './context.js';

type SecretKind = 'password-hash' | 'luks-passphrase' | 'bmc-password' | 'ipmi-password';

interface SecretUse {
  name: string;
  kind: SecretKind;
  path: PathSegment[];
}

// What each kind of secret must look like, in words and as a test.
const FORMATS: Record<SecretKind, { test: RegExp; expected: string }> = {
  // SHA-512, SHA-256, yescrypt, gost-yescrypt, bcrypt; MD5-crypt ($1$) is too weak.
  'password-hash': {
    test: /^\$(6|5|y|gy|2[aby])\$[A-Za-z0-9./$=,]{8,}$/,
    expected: 'a crypt(3) hash such as the output of `openssl passwd -6` or `mkpasswd -m yescrypt`',
  },
  // Goes into the kickstart's part --passphrase=, so no quoting characters or spaces.
  'luks-passphrase': {
    test: /^[A-Za-z0-9!%+,./:=?@^_~*()[\]-]{8,512}$/,
    expected: 'at least 8 characters of letters, digits and !%+,./:=?@^_~*()[]-',
  },
  // Sent to the BMC by the agent only; any printable text.
  'bmc-password': { test: /^[^\u0000-\u001f\u007f]{1,256}$/u, expected: 'one line of printable text' },
  // IPMI 2.0 (RMCP+) carries at most 20 bytes of password; ipmitool refuses longer ones.
  'ipmi-password': {
    test: /^[\x20-\x7e]{1,20}$/,
    expected: 'at most 20 printable ASCII characters (the IPMI 2.0 limit)',
  },
};

// The marker `fyr init` puts in every value the user must supply.
const PLACEHOLDER = /^REPLACE\b/;

// Every place the site refers to a secret, and what the secret is for.
export function secretUses(site: Site): SecretUse[] {
  const uses: SecretUse[] = [
    { name: site.bastion.rootPasswordSecret, kind: 'password-hash', path: ['bastion', 'rootPassword', 'secret'] },
  ];
  if (site.bastion.admin?.passwordSecret !== undefined) {
    uses.push({
      name: site.bastion.admin.passwordSecret,
      kind: 'password-hash',
      path: ['bastion', 'admin', 'password', 'secret'],
    });
  }
  if (site.bastion.passphraseSecret !== undefined && site.bastion.encryption === 'passphrase') {
    uses.push({
      name: site.bastion.passphraseSecret,
      kind: 'luks-passphrase',
      path: ['bastion', 'passphrase', 'secret'],
    });
  }
  site.nodes.forEach((node, i) => {
    if (node.bmc.type !== 'manual' && node.bmc.passwordSecret !== undefined) {
      uses.push({
        name: node.bmc.passwordSecret,
        kind: node.bmc.type === 'ipmi' ? 'ipmi-password' : 'bmc-password',
        path: ['nodes', i, 'bmc', 'password', 'secret'],
      });
    }
  });
  return uses;
}

// Each referenced secret exists and has the shape its use needs.
export const secretsResolve: Rule = ({ site, report }) => {
  const store = site.secrets;
  if (!store.loaded) return;
  const checked = new Set<string>();
  for (const use of secretUses(site)) {
    const value = store.reveal(use.name);
    if (value === undefined) {
      const hint = didYouMean(use.name, store.names());
      report({
        code: 'SECRET_MISSING',
        path: use.path,
        message: `secret "${use.name}" is not in ${store.display}${hint ? ` (did you mean "${hint}"?)` : ''}`,
        expected: `a "${use.name}:" entry in ${store.display}`,
      });
      continue;
    }
    const key = `${use.name}/${use.kind}`;
    if (checked.has(key)) continue;
    checked.add(key);
    const format = FORMATS[use.kind];
    if (PLACEHOLDER.test(value)) {
      report({
        code: 'SECRET_PLACEHOLDER',
        path: [use.name],
        inSecrets: true,
        message: `secret "${use.name}" still holds the placeholder that fyr init wrote`,
        expected: format.expected,
      });
    } else if (!format.test.test(value)) {
      report({
        code: 'SECRET_FORMAT',
        path: [use.name],
        inSecrets: true,
        message: `secret "${use.name}" (used as ${use.kind} by ${formatPath(use.path.slice(0, -1))}) has the wrong form; its value is not shown`,
        expected: format.expected,
      });
    }
  }
};

// Entries nobody refers to are usually typos of the name that was meant.
export const secretsAreUsed: Rule = ({ site, report }) => {
  const store = site.secrets;
  if (!store.loaded) return;
  const used = new Set(secretUses(site).map((u) => u.name));
  for (const name of store.names()) {
    if (!used.has(name)) {
      report({
        severity: 'warning',
        code: 'SECRET_UNUSED',
        path: [name],
        inSecrets: true,
        message: `secret "${name}" is not referred to by the site`,
        expected: 'only the secrets the site uses',
      });
    }
  }
};
