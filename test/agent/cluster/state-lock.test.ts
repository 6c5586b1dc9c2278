// The fake cluster's state lock: processes updating the state at once (as the agent, the
// installer double and the test do) never lose an update and never break each other's lock.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeTmpdir, removeTmpdir } from '../../helpers/tmpdir.js';

const STATE = resolve('test/doubles/cluster/state.mjs');
const WORKERS = 6;
const EACH = 60;

test('state lock :: 6 processes x 60 updates, none lost, none failed', async () => {
  const dir = await makeTmpdir();
  try {
    await mkdir(join(dir, 'cluster'));
    await writeFile(join(dir, 'cluster/state.json'), '{"count":0}\n');
    const script = `import { update } from ${JSON.stringify(STATE)};
for (let i = 0; i < ${EACH}; i++) update(process.argv[1], (s) => { s.count++; });`;
    const runs = await Promise.all(
      Array.from({ length: WORKERS }, () =>
        execa(process.execPath, ['--input-type=module', '-e', script, dir], { reject: false, all: true }),
      ),
    );
    for (const r of runs) assert.is(r.exitCode, 0, r.all);
    assert.is(JSON.parse(await readFile(join(dir, 'cluster/state.json'), 'utf8')).count, WORKERS * EACH);
  } finally {
    await removeTmpdir(dir);
  }
});

test.run();
