// fyr seals on node:crypto (src/seal/age.ts) and age-encryption opens: the file is age v1 with
// one scrypt stanza at 2^15, for every plaintext size around STREAM's 64 KiB chunks, and
// age-encryption's own Decrypter (not fyr's unseal) reads it back.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Decrypter } from 'age-encryption';
import { seal, SCRYPT_LOG_N } from '../../src/seal/index.js';

const CODE = '31415926535897932384626433832795028841971';

test('age format :: the header is age v1 with one scrypt stanza and a MAC line', async () => {
  const sealed = await seal('{}', CODE);
  const [version, stanza, body, mac] = sealed.toString('latin1').split('\n');
  assert.is(version, 'age-encryption.org/v1');
  assert.match(stanza!, new RegExp(`^-> scrypt [A-Za-z0-9+/]{22} ${SCRYPT_LOG_N}$`));
  assert.match(body!, /^[A-Za-z0-9+/]{43}$/);
  assert.match(mac!, /^--- [A-Za-z0-9+/]{43}$/);
});

test('age format :: age-encryption opens it at every size around the 64 KiB chunks', async () => {
  for (const size of [0, 1, 65535, 65536, 65537, 131072, 200_000]) {
    const text = Array.from({ length: size }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    const d = new Decrypter();
    d.addPassphrase(CODE);
    assert.is(await d.decrypt(await seal(text, CODE), 'text'), text, `${size} bytes`);
  }
});

test('age format :: a changed byte anywhere is refused', async () => {
  const sealed = await seal('secret', CODE);
  for (const at of [30, sealed.indexOf('---') + 5, sealed.length - 1]) {
    const bad = Buffer.from(sealed);
    bad[at] = bad[at]! ^ 1;
    const d = new Decrypter();
    d.addPassphrase(CODE);
    await d.decrypt(bad, 'text').then(
      () => assert.unreachable(`byte ${at} changed and it still opened`),
      () => undefined,
    );
  }
});

test.run();
