// The site's secrets sealed to the unlock code with age's passphrase recipient (age v1, whose key
// comes from scrypt, a memory-hard KDF). Sealing is written here on node:crypto, byte for byte
// the format age-encryption (by age's authors) writes: its scrypt is JavaScript and holds the
// main thread 0.2 to 0.4 s, and loading it costs 0.2 s more, both before fyr build can copy a
// byte, where node:crypto's scrypt runs natively on libuv's thread pool. Opening stays with
// age-encryption, the only importer of it, loaded when a file is opened (the agent, tests).
import { createCipheriv, createHmac, hkdfSync, randomBytes, scrypt } from 'node:crypto';
import { normalizeCode } from './unlock-code.js';

// scrypt at 2^15 (r = 8): 32 MiB of memory and about 0.2 s per try. Below age's default of 2^18
// (256 MiB), which is sized for passphrases people choose; the unlock code carries 133 random
// bits, so guessing it is out of reach at any work factor, and 2^15 keeps fyr build inside its
// 150 MB memory target (make bench) while every guess still costs 32 MiB.
export const SCRYPT_LOG_N = 15;

const SCRYPT_LABEL = 'age-encryption.org/v1/scrypt';
// age's STREAM: ChaCha20-Poly1305 over 64 KiB chunks, an 11-byte counter and a last-chunk flag.
const CHUNK = 64 * 1024;
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64').replace(/=+$/, '');

function chacha(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

const hkdf = (key: Uint8Array, salt: Uint8Array, info: string) =>
  new Uint8Array(hkdfSync('sha256', key, salt, info, 32));

function scryptKey(passphrase: string, salt: Uint8Array, logN: number): Promise<Buffer> {
  const n = 2 ** logN;
  return new Promise((resolve, reject) =>
    scrypt(
      passphrase,
      Buffer.concat([Buffer.from(SCRYPT_LABEL), salt]),
      32,
      // maxmem: the 128 * N * r bytes scrypt needs, and room for its own.
      { N: n, r: 8, p: 1, maxmem: 2 * 128 * n * 8 },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );
}

// Both ends use the code normalized (no spaces or dashes), so it opens however it is typed.
export async function seal(plaintext: string, code: string): Promise<Buffer> {
  const logN = SCRYPT_LOG_N;
  performance.mark('fyr: seal starts (before it: the site validated and rendered)');
  const fileKey = randomBytes(16);
  const salt = randomBytes(16);
  const key = await scryptKey(normalizeCode(code), salt, logN);
  performance.mark('fyr: scrypt 2^15 (thread pool)');
  // The one stanza: the file key wrapped with the scrypt key (zero nonce); its 32-byte body is
  // one base64 line, shorter than age's 48-byte lines, so it needs no empty line after it.
  const body = chacha(key, new Uint8Array(12), fileKey);
  const headerNoMac = `age-encryption.org/v1\n-> scrypt ${b64(salt)} ${logN}\n${b64(body)}\n---`;
  const mac = createHmac('sha256', hkdf(fileKey, new Uint8Array(0), 'header'))
    .update(headerNoMac)
    .digest();
  const nonce = randomBytes(16);
  const streamKey = hkdf(fileKey, nonce, 'payload');
  const data = Buffer.from(plaintext, 'utf8');
  const chunks: Buffer[] = [Buffer.from(`${headerNoMac} ${b64(mac)}\n`), nonce];
  const count = Math.max(1, Math.ceil(data.length / CHUNK));
  for (let i = 0; i < count; i++) {
    const chunkNonce = Buffer.alloc(12);
    chunkNonce.writeUIntBE(i, 5, 6);
    if (i === count - 1) chunkNonce[11] = 1;
    chunks.push(chacha(streamKey, chunkNonce, data.subarray(i * CHUNK, (i + 1) * CHUNK)));
  }
  return Buffer.concat(chunks);
}

// Raised for a code that does not open the file (or a file that is not sealed to a code).
export class WrongCodeError extends Error {}
WrongCodeError.prototype.name = 'WrongCodeError';

export async function unseal(sealed: Uint8Array, code: string): Promise<string> {
  const { Decrypter } = await import('age-encryption');
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
