// Walks the phases in order from wherever the state file says it stopped. A phase is marked
// running before it starts and done only after it finishes, so a crash repeats at most the
// phase it interrupted, and that phase's side effects are kept to once by the effect journal.
import { writeFile } from 'node:fs/promises';
import { BmcError } from './bmc/index.js';
import { PhaseError, type AgentContext, type Phase } from './context.js';
import { CommandError } from './exec.js';
import { AgentInputError } from './site.js';
import type { PhaseName } from './state.js';

export class AgentFailed extends Error {
  constructor(
    readonly phase: PhaseName,
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}
AgentFailed.prototype.name = 'AgentFailed';

export function classify(err: unknown): { message: string; retryable: boolean; command?: string } {
  if (err instanceof PhaseError)
    return {
      message: err.message,
      retryable: err.options.retryable ?? false,
      ...(err.options.command ? { command: err.options.command } : {}),
    };
  if (err instanceof CommandError) return { message: err.message, retryable: err.retryable, command: err.command };
  if (err instanceof BmcError) return { message: err.message, retryable: err.retryable };
  if (err instanceof AgentInputError) return { message: err.message, retryable: false };
  return { message: String((err as Error)?.message ?? err), retryable: false };
}

async function runPhase(ctx: AgentContext, phase: Phase): Promise<void> {
  const { store } = ctx;
  const reason = phase.precondition ? await phase.precondition(ctx) : undefined;
  if (reason !== undefined) throw new AgentFailed(phase.name, `cannot start: ${reason}`);
  const progress = async (detail: string) => {
    ctx.log(`${phase.name}: ${detail}`);
    await store.update((s) => {
      s.phases[phase.name].detail = detail;
    });
  };
  for (let attempt = 1; ; attempt++) {
    try {
      await phase.run(ctx, progress);
      return;
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      const c = classify(err);
      if (!c.retryable || attempt >= phase.attempts) throw new AgentFailed(phase.name, c.message, c.command);
      const wait = Math.min(ctx.options.retryBaseMs * 2 ** (attempt - 1), 5 * 60_000);
      await progress(
        `attempt ${attempt} of ${phase.attempts} failed (${c.message}); again in ${Math.round(wait / 1000)} s`,
      );
      await ctx.sleep(wait);
    }
  }
}

// A done phase's lasting set-up made good again at a start (after a reboot); a failure stops
// the agent with the phase named, the phase itself stays done.
async function restore(ctx: AgentContext, phase: Phase): Promise<void> {
  if (!phase.restore) return;
  try {
    await phase.restore(ctx);
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    const c = classify(err);
    const message = `cannot set up again after a restart: ${c.message}`;
    await ctx.store.update((s) => {
      s.lastError = {
        phase: phase.name,
        at: ctx.now().toISOString(),
        message,
        ...(c.command ? { command: c.command } : {}),
      };
    });
    ctx.log(`${phase.name}: FAILED: ${message}${c.command ? `\n  command: ${c.command}` : ''}`);
    throw new AgentFailed(phase.name, message, c.command);
  }
}

export async function runPhases(ctx: AgentContext, phases: readonly Phase[]): Promise<void> {
  const { store } = ctx;
  for (const phase of phases) {
    const record = store.state.phases[phase.name];
    if (record.status === 'done') {
      await restore(ctx, phase);
      continue;
    }
    const resumed = record.status === 'running' || record.status === 'failed';
    await store.update((s) => {
      const r = s.phases[phase.name];
      r.status = 'running';
      r.attempts += 1;
      r.startedAt = ctx.now().toISOString();
      delete r.error;
      delete r.command;
      delete r.detail;
    });
    ctx.log(`${phase.name}: ${resumed ? 'resuming' : 'starting'} (${phase.title})`);
    try {
      await runPhase(ctx, phase);
    } catch (err) {
      // Stopped (SIGTERM, shutdown): the phase stays "running", to be resumed, not failed.
      if (ctx.signal.aborted) {
        ctx.log(`${phase.name}: interrupted; the next start resumes here`);
        throw err;
      }
      const failed = err instanceof AgentFailed ? err : new AgentFailed(phase.name, classify(err).message);
      await store.update((s) => {
        const r = s.phases[phase.name];
        r.status = 'failed';
        r.finishedAt = ctx.now().toISOString();
        r.error = failed.message;
        if (failed.command) r.command = failed.command;
        s.lastError = {
          phase: phase.name,
          at: r.finishedAt,
          message: failed.message,
          ...(failed.command ? { command: failed.command } : {}),
        };
      });
      ctx.log(`${phase.name}: FAILED: ${failed.message}${failed.command ? `\n  command: ${failed.command}` : ''}`);
      throw failed;
    }
    await store.update((s) => {
      const r = s.phases[phase.name];
      r.status = 'done';
      r.finishedAt = ctx.now().toISOString();
      delete r.detail;
    });
    ctx.log(`${phase.name}: done`);
  }
  await store.update((s) => {
    // The install's end, kept as it was at later starts (the keeper counts from it).
    s.finishedAt ??= ctx.now().toISOString();
    delete s.lastError;
  });
  // The install is over: a mark for people and scripts (the keeper goes on from here).
  await writeFile(ctx.paths.doneMarker, `${ctx.now().toISOString()}\n`);
}
