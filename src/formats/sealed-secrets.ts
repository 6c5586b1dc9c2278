// etc/fyr/secrets.age: the agent's secrets (agent-secrets.ts) sealed with age to the site's
// unlock code. It rides in the site bundle beside the files the render manifest lists, but not
// in the manifest: age's fresh salt and file key make its bytes differ on every seal, while the
// manifest (and so the render hash) stays the same for the same site. Its integrity is age's own.
export const SEALED_SECRETS = '/etc/fyr/secrets.age';
// Where the agent keeps them resealed to the bastion (systemd-creds), after the one unlock.
export const RESEALED_SECRETS = '/var/lib/fyr/secrets.cred';

export interface SealInfo {
  kdf: 'scrypt';
  // scrypt's work factor: 2^logN.
  logN: number;
}

// Reads the age header's passphrase stanza ("-> scrypt SALT LOGN"); undefined when the bytes
// are not an age file sealed to a passphrase.
export function describeSeal(bytes: Uint8Array): SealInfo | undefined {
  const head = Buffer.from(bytes.subarray(0, 200)).toString('latin1').split('\n');
  if (head[0] !== 'age-encryption.org/v1') return undefined;
  const m = /^-> scrypt \S+ (\d+)$/.exec(head[1] ?? '');
  return m ? { kdf: 'scrypt', logN: Number(m[1]) } : undefined;
}
