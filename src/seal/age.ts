// The only importer of age-encryption (by age's authors): the site's secrets sealed to the unlock
// code with age's passphrase recipient, whose key comes from scrypt, a memory-hard KDF.
import { Decrypter, Encrypter } from 'age-encryption';
import { normalizeCode } from './unlock-code.js';

// age's default and recommended work factor: 2^18 iterations, 256 MiB of memory, about a
// second per try on one core.
export const SCRYPT_LOG_N = 18;

// Both ends use the code normalized (no spaces or dashes), so it opens however it is typed.
export async function seal(plaintext: string, code: string): Promise<Buffer> {
  const e = new Encrypter();
  e.setPassphrase(normalizeCode(code));
  e.setScryptWorkFactor(SCRYPT_LOG_N);
  return Buffer.from(await e.encrypt(plaintext));
}

// Raised for a code that does not open the file (or a file that is not sealed to a code).
export class WrongCodeError extends Error {}
WrongCodeError.prototype.name = 'WrongCodeError';

export async function unseal(sealed: Uint8Array, code: string): Promise<string> {
  const d = new Decrypter();
  d.addPassphrase(normalizeCode(code));
  try {
    return await d.decrypt(sealed, 'text');
  } catch (err) {
    const message = (err as Error).message ?? '';
    if (/no identity matched/.test(message))
      throw new WrongCodeError('the unlock code does not open the sealed secrets');
    throw new Error(`the sealed secrets are damaged: ${message}`);
  }
}
