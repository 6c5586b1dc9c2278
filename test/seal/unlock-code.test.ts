// The unlock code and the seal: the code's shape and strength, what counts as too weak, and the
// age seal opening with the code however it is typed, and only with it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describeSeal } from '../../src/formats/sealed-secrets.js';
import {
  codeBits,
  codeProblem,
  generateUnlockCode,
  normalizeCode,
  seal,
  unseal,
  WrongCodeError,
} from '../../src/seal/index.js';

test('seal :: a made code is 8 groups of 5 digits, over 128 bits, and never the same twice', () => {
  const codes = new Set(Array.from({ length: 50 }, generateUnlockCode));
  assert.is(codes.size, 50);
  for (const code of codes) {
    assert.match(code, /^\d{5}(-\d{5}){7}$/);
    assert.ok(codeBits(normalizeCode(code)) > 128);
    assert.is(codeProblem(normalizeCode(code)), undefined);
  }
});

test('seal :: codes from a file: spaces and dashes do not count; too few bits is refused, saying why', () => {
  assert.is(normalizeCode(' 12345 - 67890\n'), '1234567890');
  assert.is(codeProblem(''), 'it is empty');
  assert.match(String(codeProblem('1234567890')), 'at most 33 bits (10 characters)');
  assert.is(codeProblem('9f2c41d8e07ab36c5d1e82f4a90b7c63'), undefined, 'openssl rand -hex 16');
  assert.match(String(codeProblem('0123456789abcdef0123456789abcde')), 'at most 124 bits');
  assert.is(codeProblem('Zq8yT2mLx9PwR4vB7nK3cD'), undefined, '22 letters and digits');
  assert.match(String(codeProblem('naïve-but-long-enough-passphrase-here')), 'printable ASCII');
});

test('seal :: codes long enough but of little variety are refused by the estimate, random ones never', () => {
  for (const weak of [
    '0'.repeat(40),
    'a'.repeat(32),
    '0123456789'.repeat(4),
    '0123456789abcdef0123456789abcdef',
    'ab'.repeat(20),
    '13579'.repeat(8),
    '1234512345123451234512345123451234512345',
  ])
    assert.match(String(codeProblem(weak)), 'too little variety', weak);
  for (let i = 0; i < 2000; i++) {
    const code = normalizeCode(generateUnlockCode());
    assert.is(codeProblem(code), undefined, code);
  }
});

test('seal :: sealed with age (scrypt 2^15); opens with the code typed any way, refuses another', async () => {
  const code = generateUnlockCode();
  const sealed = await seal('{"secret":"value"}', code);
  assert.equal(describeSeal(sealed), { kdf: 'scrypt', logN: 15 });
  assert.not.ok(sealed.includes('value'));
  assert.is(await unseal(sealed, code.replaceAll('-', ' ')), '{"secret":"value"}');
  await unseal(sealed, generateUnlockCode()).then(
    () => assert.unreachable('a wrong code opened it'),
    (err) => assert.instance(err, WrongCodeError),
  );
  await unseal(Buffer.from('not age at all'), code).then(
    () => assert.unreachable(),
    (err) => assert.match(err.message, 'the sealed secrets are damaged'),
  );
  assert.is(describeSeal(Buffer.from('age-encryption.org/v1\n-> X25519 abc\n')), undefined);
});

test.run();
