// The hand-over to a newer agent the stick installed (src/agent/upgrade/hand-over.ts): the
// keeper's unit restarted (the literal argv), the command run again with the new agent (a real
// process, its arguments unchanged, its exit code the command's) only once a keeper answers on
// the socket, never while the old keeper's socket file is all there is; a keeper that never
// comes back is said, with nothing run.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Exec } from '../../../src/agent/exec.js';
import { serveLines } from '../../../src/agent/unix-socket.js';
import { handOver, restartKeeper } from '../../../src/agent/upgrade/hand-over.js';
import { makeTmpdir, removeTmpdir } from '../../helpers/tmpdir.js';

test('hand-over :: the restart argv', () => {
  assert.equal(restartKeeper(), ['systemctl', ['restart', 'fyr-agent.service']]);
});

// The new agent: records its arguments and when it ran, exits 7.
const NEW_AGENT = `import { writeFileSync } from 'node:fs';
writeFileSync(process.env.RAN, JSON.stringify({ args: process.argv.slice(2), at: Date.now() }));
process.exit(7);
`;

async function setUp(dir: string) {
  const agentFile = join(dir, 'fyr-agent.mjs');
  await writeFile(agentFile, NEW_AGENT);
  const ran = join(dir, 'ran.json');
  process.env.RAN = ran;
  return { agentFile, ran, socket: join(dir, 'run/keeper.sock') };
}

test('hand-over :: under systemd: restarted, then the same command with the new agent once the new keeper answers', async () => {
  const dir = await makeTmpdir();
  let server: Server | undefined;
  try {
    const { agentFile, ran, socket } = await setUp(dir);
    // The old keeper's socket file, left as a killed keeper leaves it: not an answer.
    const old = await serveLines(socket, () => undefined);
    await new Promise<void>((r) => old.close(() => r()));
    await writeFile(socket, '');
    const calls: string[][] = [];
    let upAt = 0;
    const exec: Exec = async (file, args) => {
      calls.push([file, ...args]);
      // systemd starts the new keeper; it answers a while later.
      setTimeout(() => {
        void serveLines(socket, () => undefined).then((s) => {
          server = s;
          upAt = Date.now();
        });
      }, 600);
      return { exitCode: 0, stdout: '', stderr: '' } as never;
    };
    const said: string[] = [];
    const code = await handOver({
      services: 'systemd',
      exec,
      keeperSocket: socket,
      agentFile,
      args: ['upgrade', '--media', '/run/fyr/media/sdb', '--yes'],
      err: (t) => said.push(t),
      readyMs: 10_000,
    });
    assert.is(code, 7, 'the new agent’s exit code');
    assert.equal(calls, [['systemctl', 'restart', 'fyr-agent.service']]);
    const r = JSON.parse(await readFile(ran, 'utf8')) as { args: string[]; at: number };
    assert.equal(r.args, ['upgrade', '--media', '/run/fyr/media/sdb', '--yes']);
    assert.ok(upAt > 0 && r.at >= upAt, 'run only after the new keeper answered');
    assert.equal(said, []);
  } finally {
    server?.close();
    await removeTmpdir(dir);
  }
});

test('hand-over :: a keeper that never answers: said, with the unit to look at; the new agent is not run', async () => {
  const dir = await makeTmpdir();
  try {
    const { agentFile, ran, socket } = await setUp(dir);
    const said: string[] = [];
    const code = await handOver({
      services: 'systemd',
      exec: (async () => ({ exitCode: 0 })) as never,
      keeperSocket: socket,
      agentFile,
      args: ['upgrade', '--yes'],
      err: (t) => said.push(t),
      readyMs: 500,
    });
    assert.is(code, 1);
    assert.match(said.join(''), `the keeper did not answer on ${socket} within 1 s`);
    assert.match(said.join(''), 'journalctl -u fyr-agent.service');
    assert.not.ok(existsSync(ran));
  } finally {
    await removeTmpdir(dir);
  }
});

test('hand-over :: not under systemd: nothing restarted, said so; the command still goes to the new agent once a keeper answers', async () => {
  const dir = await makeTmpdir();
  try {
    const { agentFile, ran, socket } = await setUp(dir);
    const keeper = await serveLines(socket, () => undefined);
    const said: string[] = [];
    const calls: string[] = [];
    try {
      const code = await handOver({
        services: 'supervisor',
        exec: (async (f: string) => {
          calls.push(f);
          return { exitCode: 0 };
        }) as never,
        keeperSocket: socket,
        agentFile,
        args: ['upgrade', '--yes'],
        err: (t) => said.push(t),
        readyMs: 2000,
      });
      assert.is(code, 7);
    } finally {
      keeper.close();
    }
    assert.equal(calls, []);
    assert.match(said.join(''), 'not under systemd: restart the keeper yourself');
    assert.ok(existsSync(ran));
  } finally {
    await removeTmpdir(dir);
  }
});

test.run();
