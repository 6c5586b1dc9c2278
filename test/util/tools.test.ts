// The ISO side's mapping of the runner's failures: TOOL_MISSING with the package to install,
// TOOL_FAILED with the command fyr ran and the program's last words; and through the CLI.
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isFyrError } from '../../src/errors.js';
import { runTool, runToolBinary, startTool } from '../../src/util/tools.js';
import { fakePath, writeFakeBin } from '../helpers/fake-bin.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => assert.unreachable('expected a FyrError'),
    (e: unknown) => e,
  );

test('tools :: a missing program is TOOL_MISSING naming its package', async () => {
  for (const attempt of [
    runTool('xorriso', ['-version'], { env: { PATH: '' } }),
    runToolBinary('mtype', ['-i', 'x', '::/a'], { env: { PATH: '' } }),
    startTool('xorriso', [], { env: { PATH: '' } }).done,
  ]) {
    const err = await rejection(attempt);
    assert.ok(isFyrError(err), String(err));
    assert.is(err.code, 'TOOL_MISSING');
    assert.match(err.detailLines.join('\n'), /Install the (xorriso|mtools) package/);
  }
});

test('tools :: a failing program is TOOL_FAILED with the command line and its last lines', async () => {
  const dir = await makeTmpdir();
  try {
    await writeFakeBin(dir, { xorriso: { stderr: 'xorriso : FAILURE : Cannot open /x.iso\n', exitCode: 5 } });
    const err = await rejection(
      runTool('xorriso', ['-indev', '/x.iso', '-report_el_torito', 'cmd'], { env: { PATH: fakePath(dir) } }),
    );
    assert.ok(isFyrError(err), String(err));
    assert.is(err.code, 'TOOL_FAILED');
    assert.is(err.message, 'xorriso failed (exit code 5)');
    assert.equal(err.detailLines, [
      'command: xorriso -indev /x.iso -report_el_torito cmd',
      'xorriso : FAILURE : Cannot open /x.iso',
    ]);
  } finally {
    await removeTmpdir(dir);
  }
});

// The whole chain as a user sees it: `fyr flash` lists disks with lsblk.
test('tools :: fyr flash without lsblk, and with an lsblk that fails', async () => {
  const dir = await makeTmpdir();
  try {
    const fyr = (path: string) =>
      execa(process.execPath, ['dist/cli/main.js', 'flash', 'site.iso'], {
        reject: false,
        env: { PATH: path, NO_COLOR: '1' },
      });
    const missing = await fyr('');
    assert.is(missing.exitCode, 1);
    assert.match(
      missing.stderr,
      /fyr: error: lsblk is not installed \[TOOL_MISSING\]\n  Install the util-linux package/,
    );
    await writeFakeBin(dir, { lsblk: { stderr: 'lsblk: /sys/dev/block: no such directory\n', exitCode: 32 } });
    const failed = await fyr(fakePath(dir));
    assert.is(failed.exitCode, 1);
    assert.match(
      failed.stderr,
      /fyr: error: lsblk failed \(exit code 32\) \[TOOL_FAILED\]\n  command: lsblk --json --bytes/,
    );
    assert.match(failed.stderr, /\n  lsblk: \/sys\/dev\/block: no such directory$/);
  } finally {
    await removeTmpdir(dir);
  }
});

test.run();
