// The one process runner: how a run ends is classified once, with the command and the tail.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mask, ProcessError, run, runBinary, showCommand, start } from '../../src/util/exec.js';
import { fakePath, writeFakeBin } from '../helpers/fake-bin.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const failure = (p: Promise<unknown>): Promise<ProcessError> =>
  p.then(
    () => {
      throw new Error('expected a ProcessError');
    },
    (e: unknown) => e as ProcessError,
  );

test('exec :: commands are shown quoted and with secrets masked', () => {
  assert.is(showCommand('ipmitool', ['-U', 'admin', 'chassis', 'power', 'on']), 'ipmitool -U admin chassis power on');
  assert.is(showCommand('x', ["it's", 'a b']), `x 'it'\\''s' 'a b'`);
  assert.is(showCommand('curl', ['-u', 'admin:hunter2'], ['hunter2']), 'curl -u admin:***');
  assert.is(mask('Error: password hunter2 refused', ['hunter2', '']), 'Error: password *** refused');
});

test('exec :: a program that fails: exit code, masked command and the last lines of stderr', async () => {
  const dir = await makeTmpdir();
  try {
    const lines = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join('\n');
    await writeFakeBin(dir, { xorriso: { stdout: 'progress\n', stderr: `${lines}\nsecret s3cr3t\n\n`, exitCode: 5 } });
    const err = await failure(
      run('xorriso', ['-indev', 'a b.iso', 's3cr3t'], { env: { PATH: fakePath(dir) }, secrets: ['s3cr3t'] }),
    );
    assert.instance(err, ProcessError);
    assert.equal(err.how, { exitCode: 5 });
    assert.is(err.command, "xorriso -indev 'a b.iso' ***");
    assert.equal(err.tail, ['line 6', 'line 7', 'line 8', 'line 9', 'line 10', 'line 11', 'line 12', 'secret ***']);
    assert.match(err.message, /^xorriso exited with 5: line 6\n/);
    // Without stderr, the tail is stdout's.
    await writeFakeBin(dir, { mdir: { stdout: 'only stdout\n', exitCode: 1 } });
    assert.equal((await failure(run('mdir', [], { env: { PATH: fakePath(dir) } }))).tail, ['only stdout']);
  } finally {
    await removeTmpdir(dir);
  }
});

test('exec :: okCodes are answers; success returns the output whole', async () => {
  const dir = await makeTmpdir();
  try {
    await writeFakeBin(dir, { virsh: { stdout: 'no domain\n', exitCode: 1 }, mtype: { stdout: 'bytes\n' } });
    assert.equal(await run('virsh', ['dominfo', 'x'], { env: { PATH: fakePath(dir) }, okCodes: [1] }), {
      exitCode: 1,
      stdout: 'no domain\n',
      stderr: '',
    });
    assert.equal(await runBinary('mtype', [], { env: { PATH: fakePath(dir) } }), Buffer.from('bytes\n'));
  } finally {
    await removeTmpdir(dir);
  }
});

test('exec :: an empty PATH: not installed, for run, runBinary and start', async () => {
  for (const err of [
    await failure(run('xorriso', ['-version'], { env: { PATH: '' } })),
    await failure(runBinary('mtype', [], { env: { PATH: '' } })),
    await failure(start('xorriso', [], { env: { PATH: '' } }).done),
  ]) {
    assert.instance(err, ProcessError);
    assert.is(err.how.missing, true);
    assert.match(err.message, / is not installed$/);
  }
});

test('exec :: timeout and cancellation are told apart from failures', async () => {
  const dir = await makeTmpdir();
  try {
    await writeFakeBin(dir, { slow: { sleepSeconds: 5 } });
    const timedOut = await failure(run('slow', [], { env: { PATH: fakePath(dir) }, timeoutMs: 200 }));
    assert.is(timedOut.how.timedOut, true);
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 100);
    const canceled = await failure(run('slow', [], { env: { PATH: fakePath(dir) }, signal: stop.signal }));
    assert.is(canceled.how.canceled, true);
    assert.is(canceled.message, 'slow was stopped');
  } finally {
    await removeTmpdir(dir);
  }
});

test('exec :: start streams lines and fails with the last of them', async () => {
  const dir = await makeTmpdir();
  try {
    await writeFakeBin(dir, { xorriso: { stdout: 'a\nb\n', stderr: 'FAILURE: no space\n', exitCode: 32 } });
    const running = start('xorriso', ['-dev', 'x'], { env: { PATH: fakePath(dir) } });
    const seen: string[] = [];
    for await (const line of running.lines) seen.push(line);
    const err = await failure(running.done);
    assert.equal(seen.sort(), ['FAILURE: no space', 'a', 'b']);
    assert.is(err.how.exitCode, 32);
    assert.is(err.command, 'xorriso -dev x');
    assert.ok(err.tail.includes('FAILURE: no space'));
  } finally {
    await removeTmpdir(dir);
  }
});

test.run();
