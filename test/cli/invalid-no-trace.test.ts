// Every invalid fixture through the real executable: a non-zero exit, problems but never a
// stack trace, no secret value, and nothing written anywhere near the input.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnCli, STACK_FRAME } from '../helpers/cli.js';

const DIR = 'test/fixtures/sites/invalid';
const SECRET_VALUES = ['hunter2', 'pw-0', 'pw-1', 'sw0rdf1sh', 'amZ6JOjbr1', 'Sup3rSecret'];

function listing(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      const info = statSync(path);
      return info.isDirectory() ? listing(path) : [`${path} ${info.size} ${info.mtimeMs}`];
    })
    .sort();
}

const files = [
  ...readdirSync(DIR).filter((f) => f.endsWith('.yaml') && !f.startsWith('secrets')),
  ...readdirSync(join(DIR, 'generated')).map((f) => join('generated', f)),
];

test('cli :: invalid fixtures via dist/ never print a stack trace and write nothing', async () => {
  assert.ok(files.length >= 40, `${files.length} fixtures`);
  const before = listing(DIR);
  // Two at a time: the suite must stay quick on a 2-core machine.
  for (let i = 0; i < files.length; i += 2) {
    await Promise.all(
      files.slice(i, i + 2).map(async (file) => {
        for (const extra of [[], ['--json']]) {
          const r = await spawnCli(['validate', join(DIR, file), ...extra]);
          assert.is(r.code, 3, `${file} ${extra.join(' ')} exits 3`);
          const out = r.stdout + r.stderr;
          assert.not.match(out, STACK_FRAME, `${file}: no stack trace`);
          assert.not.match(out, 'internal error', `${file}: not reported as a bug`);
          for (const secret of SECRET_VALUES)
            assert.not.ok(out.includes(secret), `${file}: secret value "${secret}" printed`);
          if (extra.length > 0) assert.is(JSON.parse(r.stdout).ok, false);
          else assert.match(r.stderr, /^\S+:\d+:\d+: /m, `${file}: positioned problem`);
        }
      }),
    );
  }
  assert.equal(listing(DIR), before, 'the fixture directory is unchanged');
});

test.run();
