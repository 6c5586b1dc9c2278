// Day-2 operations run like phases: journalled steps, resumed after a stop without repeating a
// side effect, finished into the keeper's history as done, failed (with the command) or skipped
// (with why); and the socket fyr-agent subcommands reach the keeper through.
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_OPTIONS, type AgentContext } from '../../../src/agent/context.js';
import { CommandError } from '../../../src/agent/exec.js';
import { operationId, runOperation, type Operation } from '../../../src/agent/keeper/operations.js';
import { requestOperation, serveRequests } from '../../../src/agent/keeper/requests.js';
import { bastionPaths } from '../../../src/agent/paths.js';
import { freshState, loadState, StateStore } from '../../../src/agent/state.js';
import { makeTmpdir, removeTmpdir } from '../../helpers/tmpdir.js';

interface Ctx {
  dir: string;
  ctx: AgentContext;
  abort: AbortController;
}

const test = suite<Ctx>('agent :: keeper :: operations', {
  dir: '',
  ctx: undefined as unknown as AgentContext,
  abort: new AbortController(),
});

test.before.each(async (c) => {
  c.dir = await makeTmpdir();
  c.abort = new AbortController();
  const paths = bastionPaths(c.dir, { state: c.dir });
  let t = Date.parse('2026-12-06T12:00:00Z');
  const now = () => new Date((t += 1000));
  const store = new StateStore(paths.stateFile, freshState('edge.example.com', [], now()), now);
  c.ctx = {
    paths,
    store,
    now,
    site: { keeper: { healthEverySeconds: 300 }, backups: { enabled: true, everySeconds: 21600, keep: 14 } },
    options: DEFAULT_OPTIONS,
    log: () => undefined,
    signal: c.abort.signal,
  } as unknown as AgentContext;
});
test.after.each(async (c) => removeTmpdir(c.dir));

test('ids are the UTC start time, sortable, usable as a directory name', () => {
  assert.is(operationId(new Date('2026-12-06T09:05:03.123Z')), '20261206-090503');
});

test('a done operation leaves its summary in the history, each step once', async (c) => {
  const effects: string[] = [];
  const op: Operation = {
    kind: 'backup',
    title: 't',
    async run(_ctx, record, steps) {
      await steps.fact('node', 'cp-0');
      await steps.once('a', async () => void effects.push('a'));
      await steps.progress('half way');
      await steps.once('a', async () => void effects.push('a again'));
      return `did it on ${record.facts.node}`;
    },
  };
  const heard: string[] = [];
  const out = await runOperation(c.ctx, op, 'command', (l) => heard.push(l));
  assert.is(out.summary, 'did it on cp-0');
  assert.equal(effects, ['a']);
  assert.equal(heard, ['half way', 'did it on cp-0']);
  const saved = (await loadState(c.ctx.paths.stateFile))!;
  assert.is(saved.keeper?.operation, undefined);
  assert.is(saved.keeper?.history[0]?.status, 'done');
  // Its journal is cleared once it is done: the state file does not grow with each operation.
  assert.equal(Object.keys(saved.effects), []);
});

test('stopped mid-way it stays running; resumed, journalled steps are not done again', async (c) => {
  const effects: string[] = [];
  let stopOnce = true;
  const op: Operation = {
    kind: 'backup',
    title: 't',
    async run(_ctx, _record, steps) {
      await steps.once('snapshot', async () => void effects.push('snapshot'));
      if (stopOnce) {
        stopOnce = false;
        c.abort.abort();
        throw new Error('stopped');
      }
      await steps.once('fetch', async () => void effects.push('fetch'));
      return 'ok';
    },
  };
  await runOperation(c.ctx, op, 'schedule').then(
    () => assert.unreachable('should have thrown'),
    (e: Error) => assert.is(e.message, 'stopped'),
  );
  const saved = (await loadState(c.ctx.paths.stateFile))!;
  const running = saved.keeper!.operation!;
  assert.is(running.status, 'running');
  // The next start: a fresh signal, the record from the file.
  const store = new StateStore(c.ctx.paths.stateFile, saved, c.ctx.now);
  const again = { ...c.ctx, store, signal: new AbortController().signal } as AgentContext;
  const out = await runOperation(again, op, running.by, () => undefined, { resume: running });
  assert.is(out.record.id, running.id);
  assert.equal(effects, ['snapshot', 'fetch']);
  assert.is(store.state.keeper!.history[0]!.status, 'done');
});

test('a blocker skips it (kept in the history for a command), a failure keeps the command', async (c) => {
  const blocked: Operation = { kind: 'backup', title: 't', blocker: async () => 'too soon', run: async () => 'x' };
  const skipped = await runOperation(c.ctx, blocked, 'command', () => undefined, { keepSkipped: true });
  assert.is(skipped.record.status, 'skipped');
  assert.is(skipped.record.error, 'too soon');
  const failing: Operation = {
    kind: 'backup',
    title: 't',
    run: async () => {
      throw new CommandError('oc exited with 1: Error from server', 'oc debug node/cp-0', true);
    },
  };
  const failed = await runOperation(c.ctx, failing, 'schedule');
  assert.is(failed.record.status, 'failed');
  assert.equal(
    c.ctx.store.state.keeper!.history.map((h) => [h.status, h.error, h.command]),
    [
      ['failed', 'oc exited with 1: Error from server', 'oc debug node/cp-0'],
      ['skipped', 'too soon', undefined],
    ],
  );
});

test('the keeper socket: progress lines, then the outcome; no keeper is a clear error', async (c) => {
  const socket = join(c.dir, 'run/keeper.sock');
  const server = await serveRequests(socket, async (kind, progress) => {
    progress(`starting ${kind}`);
    progress('half way');
    return { status: 'done', id: '20261206-120000', summary: 'kept' };
  });
  try {
    const heard: string[] = [];
    const outcome = await requestOperation(socket, 'backup', (l) => heard.push(l));
    assert.equal(heard, ['starting backup', 'half way']);
    assert.equal(outcome, { status: 'done', id: '20261206-120000', summary: 'kept' });
  } finally {
    server.close();
  }
  await requestOperation(join(c.dir, 'run/none.sock'), 'backup', () => undefined).then(
    () => assert.unreachable('no keeper'),
    (e: Error) => assert.match(e.message, 'the keeper is not running'),
  );
});

test.run();
