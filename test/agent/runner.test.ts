// The phase runner and the state file, with phases written here: order, resume after a crash,
// retry with backoff, failures recorded with the command, the effect journal.
import { readdir, readFile, stat } from 'node:fs/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_OPTIONS, once, PhaseError, type AgentContext, type Phase } from '../../src/agent/context.js';
import { CommandError } from '../../src/agent/exec.js';
import { bastionPaths } from '../../src/agent/paths.js';
import { AgentFailed, runPhases } from '../../src/agent/runner.js';
import { freshState, loadState, StateStore, type PhaseName } from '../../src/agent/state.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

interface Ctx {
  dir: string;
  ctx: AgentContext;
  log: string[];
  slept: number[];
}

const runner = suite<Ctx>('agent :: runner', {
  dir: '',
  ctx: undefined as unknown as AgentContext,
  log: [],
  slept: [],
});

runner.before.each(async (c) => {
  c.dir = await makeTmpdir();
  c.log = [];
  c.slept = [];
  const paths = bastionPaths(c.dir, { state: c.dir });
  const now = () => new Date('2026-11-22T00:00:00Z');
  const store = new StateStore(paths.stateFile, freshState('edge.example.com', [], now()), now);
  c.ctx = {
    paths,
    store,
    now,
    options: { ...DEFAULT_OPTIONS, retryBaseMs: 1000 },
    log: (l: string) => c.log.push(l),
    sleep: async (ms: number) => void c.slept.push(ms),
    signal: new AbortController().signal,
  } as unknown as AgentContext;
});
runner.after.each(async (c) => removeTmpdir(c.dir));

const phase = (name: PhaseName, run: Phase['run'], extra: Partial<Phase> = {}): Phase => ({
  name,
  title: name,
  attempts: 1,
  run,
  ...extra,
});

runner('phases run in order; a finished run writes the done marker and a state file only root reads', async (c) => {
  const ran: string[] = [];
  await runPhases(c.ctx, [
    phase('preflight', async () => void ran.push('a')),
    phase('network', async () => void ran.push('b')),
  ]);
  assert.equal(ran, ['a', 'b']);
  const state = await loadState(c.ctx.paths.stateFile);
  assert.is(state?.phases.preflight.status, 'done');
  assert.is(state?.phases.network.status, 'done');
  assert.ok(state?.finishedAt);
  assert.ok((await stat(c.ctx.paths.doneMarker)).isFile());
  assert.is((await stat(c.ctx.paths.stateFile)).mode & 0o777, 0o600);
  assert.equal(
    (await readdir(c.dir)).filter((f) => f.endsWith('.tmp')),
    [],
    'no temporary files left',
  );
});

runner('after a crash, done phases are skipped and the interrupted one runs again', async (c) => {
  await c.ctx.store.update((s) => {
    s.phases.preflight.status = 'done';
    s.phases.network = { status: 'running', attempts: 1, detail: 'was here when the power went' };
  });
  const ran: string[] = [];
  await runPhases(c.ctx, [
    phase('preflight', async () => void ran.push('preflight')),
    phase('network', async () => void ran.push('network')),
  ]);
  assert.equal(ran, ['network']);
  assert.is(c.ctx.store.state.phases.network.attempts, 2);
  assert.match(c.log.join('\n'), 'network: resuming');
});

runner('a retryable failure is retried with growing waits; the attempts show on the phase', async (c) => {
  let calls = 0;
  const flaky = phase(
    'services',
    async () => {
      calls += 1;
      if (calls < 3) throw new PhaseError('named is not answering yet', { retryable: true });
    },
    { attempts: 3 },
  );
  await runPhases(c.ctx, [flaky]);
  assert.is(calls, 3);
  assert.equal(c.slept, [1000, 2000]);
  assert.match(c.log.join('\n'), 'attempt 1 of 3 failed (named is not answering yet); again in 1 s');
  assert.is(c.ctx.store.state.phases.services.status, 'done');
});

runner('a failing command stops the agent in a failed state with the reason and the command', async (c) => {
  const failing = phase(
    'payload',
    async () => {
      throw new CommandError(
        'podman exited with 125: Error: image not known',
        'podman run --name fyr-registry docker.io/library/registry:2',
        false,
      );
    },
    { attempts: 3 },
  );
  const after = phase('install-config', async () => assert.unreachable('must not run after a failure'));
  try {
    await runPhases(c.ctx, [failing, after]);
    assert.unreachable('should fail');
  } catch (err) {
    assert.instance(err, AgentFailed);
  }
  const state = JSON.parse(await readFile(c.ctx.paths.stateFile, 'utf8'));
  assert.is(state.phases.payload.status, 'failed');
  assert.is(state.phases.payload.error, 'podman exited with 125: Error: image not known');
  assert.is(state.phases.payload.command, 'podman run --name fyr-registry docker.io/library/registry:2');
  assert.equal(state.lastError, {
    phase: 'payload',
    at: '2026-11-22T00:00:00.000Z',
    message: 'podman exited with 125: Error: image not known',
    command: 'podman run --name fyr-registry docker.io/library/registry:2',
  });
  assert.is(state.phases['install-config'].status, 'pending');
  assert.equal(c.slept, [], 'not retryable: no waiting');
});

runner('a phase whose precondition does not hold does not start', async (c) => {
  let ran = false;
  const p = phase('install-config', async () => void (ran = true), {
    precondition: async () => 'the registry pull secret and CA are missing',
  });
  const err = await runPhases(c.ctx, [p]).then(
    () => undefined,
    (e: Error) => e,
  );
  assert.match(String(err?.message), 'cannot start: the registry pull secret and CA are missing');
  assert.not.ok(ran);
});

runner('once(): an effect in the journal is not repeated; one found done is recorded without running', async (c) => {
  let runs = 0;
  const effect = async () => void (runs += 1);
  await once(c.ctx, 'registry-cert', effect);
  await once(c.ctx, 'registry-cert', effect);
  assert.is(runs, 1);
  await once(c.ctx, 'bootstrap-define', effect, async () => true);
  assert.is(runs, 1, 'already done outside the journal');
  const state = await loadState(c.ctx.paths.stateFile);
  assert.ok(state?.effects['registry-cert']);
  assert.ok(state?.effects['bootstrap-define']);
});

runner('concurrent updates all reach the disk: the last save holds every change', async (c) => {
  // Three nodes powered on at once, as in the power phase; a lost update would let a node be
  // powered on twice after a crash.
  await Promise.all(
    ['cp-0', 'cp-1', 'cp-2'].map((name) => c.ctx.store.update((s) => void (s.effects[`power:${name}`] = 'requested'))),
  );
  const state = await loadState(c.ctx.paths.stateFile);
  assert.equal(Object.keys(state?.effects ?? {}).sort(), ['power:cp-0', 'power:cp-1', 'power:cp-2']);
});

runner('stopped by a signal, the phase stays running (to resume), not failed', async (c) => {
  const controller = new AbortController();
  const ctx = { ...c.ctx, signal: controller.signal } as AgentContext;
  const p = phase('watch', async () => {
    controller.abort();
    throw new Error('stopped');
  });
  const err = await runPhases(ctx, [p]).then(
    () => undefined,
    (e: Error) => e,
  );
  assert.ok(err);
  const state = await loadState(c.ctx.paths.stateFile);
  assert.is(state?.phases.watch.status, 'running');
  assert.is(state?.lastError, undefined);
  assert.match(c.log.join('\n'), 'watch: interrupted; the next start resumes here');
});

runner(
  'a done phase restores what a reboot undid at the next start; a failure there stops the agent, the phase stays done',
  async (c) => {
    const calls: string[] = [];
    const phases = (restoreFails: boolean) => [
      phase('preflight', async () => void calls.push('run preflight'), {
        restore: async () => {
          calls.push('restore preflight');
          if (restoreFails) throw new PhaseError('the stick is not in');
        },
      }),
      phase('network', async () => void calls.push('run network')),
    ];
    await runPhases(c.ctx, phases(false));
    assert.equal(calls, ['run preflight', 'run network'], 'nothing restored on the run that did it');
    calls.length = 0;
    const err = await runPhases(c.ctx, phases(true)).catch((e: unknown) => e);
    assert.instance(err, AgentFailed);
    assert.is((err as AgentFailed).message, 'cannot set up again after a restart: the stick is not in');
    assert.equal(calls, ['restore preflight'], 'no later phase runs');
    assert.is(c.ctx.store.state.phases.preflight.status, 'done');
    assert.is(c.ctx.store.state.lastError?.message, 'cannot set up again after a restart: the stick is not in');
    calls.length = 0;
    await runPhases(c.ctx, phases(false));
    assert.equal(calls, ['restore preflight'], 'restored, and every phase was done');
  },
);

runner.run();
