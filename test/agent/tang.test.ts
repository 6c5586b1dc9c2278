// The Tang thumbprint the agent pins node disks to, computed from a real tangd advertisement
// (keys made by the real tangd-keygen) and compared with jose's own thumbprint of the signing key.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { signingThumbprints } from '../../src/agent/tang.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

test('tang :: thumbprint of the signing key from tangd /adv equals jose jwk thp', async () => {
  const dir = await makeTmpdir();
  try {
    await execa('/usr/libexec/tangd-keygen', [dir]);
    const reply = await execa('/usr/libexec/tangd', [dir], { input: 'GET /adv HTTP/1.1\r\nHost: bastion\r\n\r\n' });
    const body = String(reply.stdout).split('\r\n\r\n').slice(1).join('\r\n\r\n');
    const expected: string[] = [];
    for (const name of await readdir(dir)) {
      const jwk = JSON.parse(await readFile(join(dir, name), 'utf8')) as { key_ops: string[] };
      if (jwk.key_ops.includes('verify'))
        expected.push(String((await execa('jose', ['jwk', 'thp', '-i', join(dir, name), '-a', 'S256'])).stdout).trim());
    }
    assert.is(expected.length, 1);
    assert.equal(signingThumbprints(body), expected);
  } finally {
    await removeTmpdir(dir);
  }
});

test('tang :: an advertisement without a signing key is refused', () => {
  const payload = Buffer.from(
    JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-521', x: 'a', y: 'b', key_ops: ['deriveKey'] }] }),
  ).toString('base64url');
  assert.throws(() => signingThumbprints(JSON.stringify({ payload, protected: '', signature: '' })), /no signing key/);
  assert.throws(() => signingThumbprints('{}'), /no payload/);
});

test.run();
