// --unlock-code-file: a weak code (long, but of little variety) is refused; a code file others
// can read is accepted with a warning; the file must be a regular file.
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../helpers/cli.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const SITE = 'examples/edge/site.yaml';
const render = (dir: string, codeFile: string) =>
  runCli(['render', SITE, '-o', join(dir, 'out'), '--force', '--unlock-code-file', codeFile]);

test('unlock code file :: 40 zeros or 32 "a" are refused as too weak', async () => {
  const dir = await makeTmpdir();
  try {
    for (const code of ['0'.repeat(40), 'a'.repeat(32)]) {
      await writeFile(join(dir, 'code'), `${code}\n`, { mode: 0o600 });
      const r = await render(dir, join(dir, 'code'));
      assert.is(r.code, 3, r.stderr);
      assert.match(r.stderr, /too little variety .*\[UNLOCK_CODE_INVALID\]/);
    }
  } finally {
    await removeTmpdir(dir);
  }
});

test('unlock code file :: readable by others: a warning; private: none', async () => {
  const dir = await makeTmpdir();
  try {
    const file = join(dir, 'code');
    await writeFile(file, '27182-81828-45904-52353-60287-47135-26624-97757\n');
    for (const [mode, expected] of [
      [0o644, /warning: --unlock-code-file .* is readable by every user \(mode 644\)/],
      [0o640, /warning: --unlock-code-file .* is readable by its group \(mode 640\)/],
      [0o600, undefined],
    ] as const) {
      await chmod(file, mode);
      const r = await render(dir, file);
      assert.is(r.code, 0, r.stderr);
      if (expected) assert.match(r.stderr, expected);
      else assert.not.match(r.stderr, 'readable by');
    }
  } finally {
    await removeTmpdir(dir);
  }
});

test('unlock code file :: a device or a directory is refused, naming what it is', async () => {
  const dir = await makeTmpdir();
  try {
    for (const [file, kind] of [
      ['/dev/zero', 'a device'],
      [dir, 'a directory'],
    ] as const) {
      const r = await render(dir, file);
      assert.is(r.code, 3, r.stderr);
      assert.match(r.stderr, `is ${kind}, not a regular file`);
    }
  } finally {
    await removeTmpdir(dir);
  }
});

test.run();
