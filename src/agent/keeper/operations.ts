// Day-2 operations are run like the install phases, one at a time: marked running in the state
// file before they start, their side effects journalled (AgentState.effects, keys
// `<kind>/<id>/<step>`) so a kill anywhere resumes without repeating one, and finished as done,
// failed or skipped (could not start, and why) into the keeper's history.
import { once as onceEffect, type AgentContext } from '../context.js';
import { classify } from '../runner.js';
import { keeperOf } from './state.js';
import { KEEP_HISTORY, type OperationKind, type OperationOptions, type OperationRecord } from './records.js';

export interface OperationSteps {
  progress(detail: string): Promise<void>;
  // A fact the operation needs again after a restart (saved before it is used).
  fact(key: string, value: string): Promise<string>;
  once(step: string, effect: () => Promise<void>, already?: () => Promise<boolean>): Promise<void>;
  // Resumed after a kill: a step not yet journalled may have happened all the same (the kill
  // came between the effect and its record), so costly "already done?" checks are worth it.
  readonly resumed: boolean;
  // The facts saved so far (fact() adds to them).
  readonly facts: Readonly<Record<string, string>>;
}

export interface Operation {
  kind: OperationKind;
  title: string;
  // Why it cannot start now; asked before a fresh start, not when resuming.
  blocker?(ctx: AgentContext, by: OperationRecord['by'], asked: OperationOptions): Promise<string | undefined>;
  // Does the work; returns the line that says what was done.
  run(ctx: AgentContext, op: OperationRecord, steps: OperationSteps): Promise<string>;
}

// Ids are the UTC time the operation started (they name backup directories, so they sort).
export function operationId(now: Date): string {
  return now
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:]/g, '')
    .replace('T', '-')
    .replace('Z', '');
}

export interface Outcome {
  record: OperationRecord;
  summary?: string;
}

async function finishWith(ctx: AgentContext, op: OperationRecord, change: Partial<OperationRecord>): Promise<void> {
  await ctx.store.update((s) => {
    const k = keeperOf(ctx, s);
    Object.assign(op, change, { finishedAt: ctx.now().toISOString() });
    delete op.detail;
    if (k.operation?.id === op.id) delete k.operation;
    // Its journal has done its work: the state file does not grow with every operation.
    const prefix = `${op.kind}/${op.id}/`;
    for (const key of Object.keys(s.effects)) if (key.startsWith(prefix)) delete s.effects[key];
    k.history = [{ ...op }, ...k.history.filter((h) => h.id !== op.id)].slice(0, KEEP_HISTORY);
  });
}

// Runs (or resumes) one operation to its end. `listen` hears its progress (a waiting client).
export async function runOperation(
  ctx: AgentContext,
  operation: Operation,
  by: OperationRecord['by'],
  listen: (line: string) => void = () => undefined,
  options: { resume?: OperationRecord; keepSkipped?: boolean; asked?: OperationOptions } = {},
): Promise<Outcome> {
  let op = options.resume;
  if (!op) {
    const asked = options.asked ?? {};
    const reason = operation.blocker ? await operation.blocker(ctx, by, asked) : undefined;
    const now = ctx.now();
    const record: OperationRecord = {
      id: operationId(now),
      kind: operation.kind,
      by,
      status: reason === undefined ? 'running' : 'skipped',
      startedAt: now.toISOString(),
      facts: {},
      ...(Object.keys(asked).length > 0 ? { options: asked } : {}),
    };
    if (reason !== undefined) {
      ctx.log(`${operation.kind}: not now: ${reason}`);
      listen(`not now: ${reason}`);
      record.error = reason;
      if (options.keepSkipped) await finishWith(ctx, record, {});
      else record.finishedAt = now.toISOString();
      return { record };
    }
    op = record;
    await ctx.store.update((s) => {
      keeperOf(ctx, s).operation = record;
    });
    ctx.log(`${operation.kind}: starting (${operation.title}), id ${op.id}`);
  } else ctx.log(`${operation.kind}: resuming ${op.id}`);
  const current = op;
  const steps: OperationSteps = {
    progress: async (detail) => {
      ctx.log(`${operation.kind}: ${detail}`);
      listen(detail);
      await ctx.store.update(() => {
        current.detail = detail;
      });
    },
    fact: async (key, value) => {
      await ctx.store.update(() => {
        current.facts[key] = value;
      });
      return value;
    },
    once: (step, effect, already) => onceEffect(ctx, `${operation.kind}/${current.id}/${step}`, effect, already),
    resumed: options.resume !== undefined,
    facts: current.facts,
  };
  try {
    const summary = await operation.run(ctx, current, steps);
    await finishWith(ctx, current, { status: 'done' });
    ctx.log(`${operation.kind}: done: ${summary}`);
    listen(summary);
    return { record: current, summary };
  } catch (err) {
    // Stopped (SIGTERM, shutdown): it stays running, to be resumed at the next start.
    if (ctx.signal.aborted) throw err;
    const c = classify(err);
    await finishWith(ctx, current, {
      status: 'failed',
      error: c.message,
      ...(c.command ? { command: c.command } : {}),
    });
    ctx.log(`${operation.kind}: FAILED: ${c.message}${c.command ? `\n  command: ${c.command}` : ''}`);
    listen(`failed: ${c.message}`);
    return { record: current };
  }
}
