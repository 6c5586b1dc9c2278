// NAME.sha256 beside outputs: the line as sha256sum writes it, the file hashed with patches in
// place equals the patched file's sha256, and publishing renames the output and its checksum
// together, leaving no temporary file (fyr's own outputs: outputs.test.ts).
import { createHash } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fileSha256 } from '../../src/checksum/file-sha256.js';
import { publishWithChecksum, sha256sumLine } from '../../src/checksum/sha256sum.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const HEX = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

test('sha256sum :: lines as sha256sum prints them, names with a backslash or newline escaped', () => {
  assert.is(sha256sumLine(HEX, 'release.iso'), `${HEX}  release.iso\n`);
  assert.is(sha256sumLine(HEX, 'a b.iso'), `${HEX}  a b.iso\n`);
  assert.is(sha256sumLine(HEX, 'a\\b\nc'), `\\${HEX}  a\\\\b\\nc\n`);
});

test('sha256sum :: a file hashed with patches in place, across piece boundaries', async () => {
  const dir = await makeTmpdir();
  try {
    const file = join(dir, 'image');
    const data = Buffer.alloc(20 << 20);
    for (let i = 0; i < data.length; i += 4096) data.writeUInt32BE(i, i);
    writeFileSync(file, data);
    const patches = [
      { offset: 100, data: Buffer.from('media check field') },
      { offset: (8 << 20) - 3, data: Buffer.alloc(10, 0xff) },
      { offset: data.length - 5, data: Buffer.from('end!!') },
    ];
    const patched = Buffer.from(data);
    for (const p of patches) p.data.copy(patched, p.offset);
    assert.is(await fileSha256(file, { size: data.length, patches }), sha256(patched));
    assert.is(await fileSha256(file, { size: data.length }), sha256(data));
    assert.is(await fileSha256(file, { size: 0 }), HEX);
    await fileSha256(file, { size: data.length + 1 }).then(
      () => assert.unreachable('a file shorter than the size'),
      (err: Error) => assert.match(err.message, `ends at ${data.length} bytes, before ${data.length + 1}`),
    );
  } finally {
    await removeTmpdir(dir);
  }
});

test('sha256sum :: publishing renames the output and writes its checksum, leaving no temporary file', async () => {
  const dir = await makeTmpdir();
  try {
    writeFileSync(join(dir, '.out.tmp'), 'hello\n');
    const hex = sha256(Buffer.from('hello\n'));
    assert.is(await publishWithChecksum(join(dir, '.out.tmp'), join(dir, 'out.txt'), hex), join(dir, 'out.txt.sha256'));
    assert.equal(readdirSync(dir).sort(), ['out.txt', 'out.txt.sha256']);
    const r = await execa('sha256sum', ['-c', 'out.txt.sha256'], { cwd: dir, reject: false, all: true });
    assert.is(r.exitCode, 0, r.all);
    // A temporary output that is not there: nothing published, nothing left.
    await publishWithChecksum(join(dir, '.gone.tmp'), join(dir, 'gone.txt'), hex).then(
      () => assert.unreachable('published a missing file'),
      () => undefined,
    );
    assert.equal(readdirSync(dir).sort(), ['out.txt', 'out.txt.sha256']);
  } finally {
    await removeTmpdir(dir);
  }
});

test.run();
