// The agent's state file format: a file of this agent's format loads (a phase added since starts
// pending); an older one is brought up step by step; a newer one (written by an agent an upgrade
// stick installed) and one that is not a state file are refused with one clear line.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { freshState, loadState, migrate, STATE_FORMAT } from '../../src/agent/state.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const message = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  return 'not refused';
};

test('state :: this format loads; a newer one and a stranger are refused', async () => {
  const dir = await makeTmpdir();
  try {
    const file = join(dir, 'state.json');
    const state = freshState('edge.example.com', [], new Date(0));
    assert.is(state.format, STATE_FORMAT);
    delete (state.phases as Record<string, unknown>).catalog;
    await writeFile(file, JSON.stringify(state));
    assert.equal((await loadState(file))?.phases.catalog, { status: 'pending', attempts: 0 });
    await writeFile(file, JSON.stringify({ ...state, format: 'fyr-agent-state/2' }));
    const newer = await loadState(file).then(
      () => 'loaded',
      (e: Error) => e.message,
    );
    assert.is(
      newer,
      `${file}: written by a newer fyr-agent (state format 2; this one knows 1): run the newer agent, never this one on it`,
    );
    await writeFile(file, JSON.stringify({ ...state, format: 'something-else/1' }));
    const stranger = await loadState(file).then(
      () => 'loaded',
      (e: Error) => e.message,
    );
    assert.match(stranger, 'not an agent state file (format something-else/1)');
  } finally {
    await removeTmpdir(dir);
  }
});

test('state :: an older format is migrated one step at a time, in order; a missing step is refused', () => {
  const steps: string[] = [];
  const migrations = {
    1: (s: { a?: number }) => void (steps.push('1->2'), (s.a = 1)),
    2: (s: { a?: number; b?: number }) => void (steps.push('2->3'), (s.b = (s.a ?? 0) + 1)),
  };
  const old: Record<string, unknown> = { format: 'fyr-agent-state/1' };
  migrate('f', old, migrations, 3);
  assert.equal(old, { format: 'fyr-agent-state/3', a: 1, b: 2 });
  assert.equal(steps, ['1->2', '2->3']);
  assert.is(
    message(() => migrate('f', { format: 'fyr-agent-state/1' }, { 2: migrations[2] }, 3)),
    'f: state format 1 cannot be read by this agent (no migration)',
  );
  assert.is(
    message(() => migrate('f', { format: 'fyr-agent-state/3' }, migrations, 3)),
    'not refused',
  );
});

test.run();
