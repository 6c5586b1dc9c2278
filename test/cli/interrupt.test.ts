// fyr release stopped from outside, as a user stops it: Ctrl-C to the whole process group (the
// programs fyr runs get the signal too) at different moments, and a reader that goes away
// (fyr release 2>&1 | head -1). Each ends one way: INTERRUPTED, exit 130, nothing left in the
// output directory or TMPDIR.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ISO_FIXTURE_DIR } from '../tools/iso-fixtures.js';
import { makeContent } from '../helpers/content.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

// Runs the real program, but holds the given call of it (its Nth run) for a while first, so a
// signal lands while fyr waits on it.
const HOLD = `#!/bin/sh
name=$(basename "$0")
n=$(( $(cat "$FYR_HOLD_DIR/$name.count" 2>/dev/null || echo 0) + 1 ))
echo $n > "$FYR_HOLD_DIR/$name.count"
if [ "$name" = "$FYR_HOLD_NAME" ] && [ "$n" = "$FYR_HOLD_CALL" ]; then
  touch "$FYR_HOLD_DIR/held"
  sleep "\${FYR_HOLD_SECONDS:-30}"
fi
exec /usr/bin/$name "$@"
`;

interface Outcome {
  code: number | null;
  signal: string | null;
  stderr: string;
}

type Start = (env: Record<string, string>, nodeOptions?: string[]) => Run;

async function withRelease(fn: (dir: string, start: Start) => Promise<void>) {
  const dir = await makeTmpdir();
  try {
    await makeContent(join(dir, 'content'));
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    for (const name of ['xorriso', 'mcopy']) {
      writeFileSync(join(bin, name), HOLD);
      chmodSync(join(bin, name), 0o755);
    }
    for (const d of ['out', 'tmp', 'hold']) mkdirSync(join(dir, d));
    const start: Start = (env, nodeOptions = []) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          ...nodeOptions,
          'src/cli/main.ts',
          'release',
          '--base',
          join(ISO_FIXTURE_DIR, 'el9.iso'),
          '--content',
          join(dir, 'content'),
          '-o',
          join(dir, 'out', 'release.iso'),
          '--site-area',
          '1M',
        ],
        {
          // Its own process group, so a signal to the group reaches fyr and its programs, as
          // Ctrl-C in a terminal does.
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
          env: {
            ...process.env,
            PATH: `${bin}:${process.env.PATH ?? ''}`,
            TMPDIR: join(dir, 'tmp'),
            FYR_HOLD_DIR: join(dir, 'hold'),
            NO_COLOR: '1',
            ...env,
          },
        },
      );
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.stdout.resume();
      const ended = new Promise<Outcome>((resolve) =>
        child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
      );
      return { child, ended, pid: child.pid! };
    };
    await fn(dir, start);
  } finally {
    await removeTmpdir(dir);
  }
}

interface Run {
  child: ReturnType<typeof spawn>;
  ended: Promise<Outcome>;
  pid: number;
}

async function until(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// Until the hold is reached; a run that ends before it fails the test with what it said.
async function untilHeld(dir: string, run: Run): Promise<void> {
  let ended: Outcome | undefined;
  void run.ended.then((r) => (ended = r));
  await until('the held moment', () => existsSync(join(dir, 'hold', 'held')) || ended !== undefined);
  if (ended !== undefined)
    assert.unreachable(`fyr ended (${ended.code ?? ended.signal}) before the held moment:\n${ended.stderr}`);
}

// tsx, which runs fyr from src/ here, keeps its compile cache in TMPDIR.
const leftInTmp = (dir: string) => readdirSync(join(dir, 'tmp')).filter((f) => !f.startsWith('tsx-'));

function assertInterrupted(dir: string, r: Outcome, what: string) {
  assert.is(r.signal, null, `${what}: fyr handles the signal itself (it was killed by ${r.signal})`);
  assert.is(r.code, 130, `${what}: exit 130\n${r.stderr}`);
  assert.match(r.stderr, /fyr: error: .*\[INTERRUPTED\]/, what);
  assert.not.match(r.stderr, /TOOL_FAILED|INTERNAL|internal error/, what);
  assert.equal(readdirSync(join(dir, 'out')), [], `${what}: nothing in the output directory`);
  assert.equal(leftInTmp(dir), [], `${what}: nothing left in TMPDIR`);
}

const MOMENTS: Array<{ name: string; env: Record<string, string> }> = [
  { name: 'while mcopy edits the ESP', env: { FYR_HOLD_NAME: 'mcopy', FYR_HOLD_CALL: '1' } },
  { name: 'while xorriso lays out the image', env: { FYR_HOLD_NAME: 'xorriso', FYR_HOLD_CALL: '2' } },
];

for (const moment of MOMENTS) {
  test(`interrupt :: Ctrl-C ${moment.name} is INTERRUPTED, exit 130, nothing left`, () =>
    withRelease(async (dir, start) => {
      const run = start(moment.env);
      await untilHeld(dir, run);
      process.kill(-run.pid, 'SIGINT');
      assertInterrupted(dir, await run.ended, moment.name);
    }));
}

// A module hook that holds the loading of the command (cli/commands/release.js, or cli/run.js
// for all of them) until told to go on: the moment between fyr's start and its first command,
// half a second on a busy machine.
const HOOKS = `import { existsSync, writeFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  if ((specifier === './run.js' || specifier.startsWith('./commands/')) && context.parentURL?.endsWith('/cli/main.ts')) {
    writeFileSync(process.env.FYR_HOLD_DIR + '/held', '');
    while (!existsSync(process.env.FYR_HOLD_DIR + '/go')) await new Promise((r) => setTimeout(r, 20));
  }
  return next(specifier, context);
}
`;

test('interrupt :: Ctrl-C while fyr is still loading its commands is INTERRUPTED, exit 130, nothing left', () =>
  withRelease(async (dir, start) => {
    writeFileSync(join(dir, 'hooks.mjs'), HOOKS);
    writeFileSync(
      join(dir, 'register.mjs'),
      "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n",
    );
    const run = start({}, ['--import', join(dir, 'register.mjs')]);
    await untilHeld(dir, run);
    // To fyr alone: the group holds tsx's esbuild service here, which the built fyr has not.
    process.kill(run.pid, 'SIGINT');
    await new Promise((r) => setTimeout(r, 200));
    writeFileSync(join(dir, 'hold', 'go'), '');
    assertInterrupted(dir, await run.ended, 'while loading');
  }));

test('interrupt :: a reader that goes away (2>&1 | head -1) stops the release like Ctrl-C and leaves nothing', () =>
  withRelease(async (dir, start) => {
    // Held a moment in the layout, so the pipe is closed while the release is under way.
    const run = start({ FYR_HOLD_NAME: 'xorriso', FYR_HOLD_CALL: '2', FYR_HOLD_SECONDS: '1' });
    await new Promise<void>((resolve) => run.child.stderr!.once('data', () => resolve()));
    run.child.stderr!.destroy();
    const r = await run.ended;
    assert.is(r.signal, null, `killed by ${r.signal}`);
    assert.is(r.code, 130);
    assert.equal(readdirSync(join(dir, 'out')), [], 'nothing in the output directory');
    assert.equal(leftInTmp(dir), [], 'nothing left in TMPDIR');
  }));

test.run();
