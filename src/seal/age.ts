// The only importer of age-encryption (by age's authors): the site's secrets sealed to the unlock
// code with age's passphrase recipient, whose key comes from scrypt, a memory-hard KDF.
import { Decrypter, Encrypter } from 'age-encryption';
import { normalizeCode } from './unlock-code.js';

// scrypt at 2^15 (r = 8): 32 MiB of memory and about 0.2 s per try. Below age's default of 2^18
// (256 MiB), which is sized for passphrases people choose; the unlock code carries 133 random
// bits, so guessing it is out of reach at any work factor, and 2^15 keeps fyr build inside its
// 150 MB memory target (make bench) while every guess still costs 32 MiB.
export const SCRYPT_LOG_N = 15;

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
