// The agent's tar reader against the build side's writer (util/tar.ts, tar-stream).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readTar } from '../../../src/agent/apply/tar.js';
import { SITE_META_FILE } from '../../../src/agent/apply/source.js';
import { SITE_META } from '../../../src/formats/site-bundle.js';
import { packTar } from '../../../src/util/tar.js';

test('apply :: tar :: reads what packTar writes, long names and modes included', async () => {
  const long = `bundle/${'d'.repeat(120)}/${'f'.repeat(90)}.conf`;
  const longer = `bundle/${'x'.repeat(300)}`;
  const files = [
    { path: 'manifest.json', mode: 0o644, content: Buffer.from('{}\n') },
    { path: 'bundle/etc/fyr/secrets.age', mode: 0o600, content: Buffer.alloc(1500, 7) },
    { path: long, mode: 0o640, content: Buffer.from('a') },
    { path: longer, mode: 0o755, content: Buffer.alloc(0) },
  ];
  const tar = await packTar(files, 1_700_000_000);
  // The site area is the tar followed by zeros.
  const read = readTar(Buffer.concat([tar, Buffer.alloc(8192)]));
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : 1));
  assert.equal(
    read.map((f) => [f.path, f.mode.toString(8), f.content.toString('hex')]),
    sorted.map((f) => [f.path, f.mode.toString(8), f.content.toString('hex')]),
  );
});

test('apply :: tar :: zeros hold no files; other bytes are refused', () => {
  assert.equal(readTar(Buffer.alloc(4096)), []);
  assert.throws(() => readTar(Buffer.from('not a tar at all'.repeat(64))), /no tar header at byte 0/);
});

test("apply :: tar :: the build record's name is the build side's", () => {
  assert.is(SITE_META_FILE, SITE_META);
});

test.run();
