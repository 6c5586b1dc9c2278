// One agent per site: the pid file is refused to a second agent while the first runs, and
// taken over once it is gone or when the pid now names another program (after a reboot).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { takeLock } from '../../src/agent/lock.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

test('lock :: held while an agent runs; a dead or foreign pid is taken over', async () => {
  const dir = await makeTmpdir();
  // A process whose command line names the agent, as the real one's does.
  const other = execa(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', 'fyr-agent.mjs'], { reject: false });
  try {
    const file = join(dir, 'agent.pid');
    await writeFile(file, `${other.pid}\n`);
    assert.equal(await takeLock(file), { held: false, pid: other.pid! });
    other.kill('SIGKILL');
    await other;
    const mine = await takeLock(file);
    assert.ok(mine.held, 'the lock of an agent that is gone is taken over');
    if (mine.held) await mine.release();
    // A pid that names something else now (pid 1 after a reboot).
    await writeFile(file, '1\n');
    assert.ok((await takeLock(file)).held);
  } finally {
    other.kill('SIGKILL');
    await removeTmpdir(dir);
  }
});

test.run();
